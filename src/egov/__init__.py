"""egov: open-source e-government platform for Vietnamese local government."""
