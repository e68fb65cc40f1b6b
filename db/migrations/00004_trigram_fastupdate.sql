-- Conflict checks read the trigram indexes on every registration. GIN's
-- fast-update pending list would make every check scan recent, unsorted
-- entries; with fastupdate off, inserts pay instead and reads stay fast.

-- +goose Up
ALTER INDEX deals_open_name_trgm SET (fastupdate = off);
ALTER INDEX accounts_name_trgm SET (fastupdate = off);
ALTER INDEX opportunities_open_name_trgm SET (fastupdate = off);

-- +goose Down
ALTER INDEX deals_open_name_trgm RESET (fastupdate);
ALTER INDEX accounts_name_trgm RESET (fastupdate);
ALTER INDEX opportunities_open_name_trgm RESET (fastupdate);
