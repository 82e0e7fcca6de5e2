"""The PostgreSQL data layer: plain parameterised SQL, one module per aggregate."""
