"""The designer's workbench (issue 14): drafts tried in a sandbox, published, compared and imported."""
