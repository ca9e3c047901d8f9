-- The old general list query (GiST scan of the box, then a sort): what the list ran
-- before the grid path (migration 0007); kept to show what the grid path saves.
SELECT r.id, r.tracking_code, r.status, ST_X(r.geom), ST_Y(r.geom), r.requested_at
FROM service_requests r JOIN service_types s ON s.id = r.service_type_id
JOIN areas a ON a.id = r.area_id JOIN departments d ON d.id = r.department_id
WHERE r.status IN ('closed') AND r.geom && ST_MakeEnvelope(-7.64, 33.57, -7.63, 33.58, 4326)
ORDER BY r.requested_at DESC, r.id DESC LIMIT 51;
