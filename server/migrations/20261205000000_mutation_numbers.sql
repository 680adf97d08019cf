-- A tablet's number names one mutation: a number sent again is answered with its first outcome,
-- never applied a second time (DESIGN.md, "Sync protocol").
CREATE UNIQUE INDEX mutations_by_client_number ON mutations (client_id, client_seq)
    WHERE client_id IS NOT NULL AND client_seq IS NOT NULL;
