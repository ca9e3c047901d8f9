"""Reports (service requests) as residents see them: file one, follow one, browse them."""
