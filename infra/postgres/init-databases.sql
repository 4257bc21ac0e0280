-- One database per service: each owns its data and no service can join another's tables.
-- Run once by the postgres image on an empty data directory; the services migrate their own schemas.
CREATE DATABASE sales;
CREATE DATABASE inventory;
CREATE DATABASE reordering;
CREATE DATABASE analytics;
