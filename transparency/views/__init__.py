"""Public pages and files of the transparency app, one module per subject."""
