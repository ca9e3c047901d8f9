"""CAP 1.2 (OASIS Common Alerting Protocol) documents for each alert, and the Atom index
alert aggregators poll: render.py builds them (no Flask), views.py serves them."""
