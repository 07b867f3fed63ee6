"""Clinical records: entry forms, the services that write them, their views, import."""
