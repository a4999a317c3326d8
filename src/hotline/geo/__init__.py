"""Location resolution: coordinates (WGS-84 / GCJ-02) and Chinese address text → district, street
and community. Reads packages from node_modules and GeoJSON files; no database, no services."""
