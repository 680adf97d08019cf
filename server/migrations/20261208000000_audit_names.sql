-- What an auditor reads beside the ids: each event's packages' regulator tags, their products'
-- names and SKUs (each product once, in the order the packages name them, separated by " | "),
-- and the witness of a destruction or a count. New events carry them from the writer; events
-- recorded before are filled here from the projections, which keep every package ever made.
ALTER TABLE events ADD COLUMN tags TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN products TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN skus TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN witness TEXT NOT NULL DEFAULT '';

UPDATE events
SET witness = coalesce(
        json_extract(body, '$.kind.package_destroyed.witness'),
        json_extract(body, '$.kind.count_recorded.witness'),
        '')
WHERE kind IN ('package_destroyed', 'count_recorded');

UPDATE events
SET tags = coalesce((
        SELECT group_concat(p.tag, ' ' ORDER BY j.key)
        FROM json_each('["' || replace(events.packages, ' ', '","') || '"]') j
        JOIN packages p ON p.id = j.value), ''),
    products = coalesce((
        SELECT group_concat(name, ' | ' ORDER BY first)
        FROM (SELECT json_extract(pr.body, '$.name') AS name, min(j.key) AS first
              FROM json_each('["' || replace(events.packages, ' ', '","') || '"]') j
              JOIN packages p ON p.id = j.value
              JOIN products pr ON pr.id = p.product_id
              GROUP BY pr.id)), ''),
    skus = coalesce((
        SELECT group_concat(sku, ' | ' ORDER BY first)
        FROM (SELECT pr.sku AS sku, min(j.key) AS first
              FROM json_each('["' || replace(events.packages, ' ', '","') || '"]') j
              JOIN packages p ON p.id = j.value
              JOIN products pr ON pr.id = p.product_id
              GROUP BY pr.id)), '')
WHERE packages != '';
