"""Photos of reports: decode and re-encode (imaging), keep (storage), attach and list
(album), and the HTTP endpoints (views). Adding a photo later takes the report token
(checked by citizen_api.domain.reporting.check_report_token).

For other parts of the app: ``photo_urls(report, base_url)`` lists a report's photo URLs
(Open311 ``media_url``).
"""

from citizen_api.photos.album import photo_urls

__all__ = ["photo_urls"]
