"""The catalogue of services (kinds of problems) residents can report."""
