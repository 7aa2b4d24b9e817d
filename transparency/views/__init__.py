"""The public pages of the read side (see `pages`)."""
