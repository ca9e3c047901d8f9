"""The areas (arrondissements and the Méchouar) reports are routed by."""
