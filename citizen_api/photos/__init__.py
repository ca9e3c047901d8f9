"""Photos of reports: decode and re-encode (imaging), keep (storage), attach and list
(album), guard later additions (tokens), and the HTTP endpoints (views).

For other parts of the app: ``photo_urls(report, base_url)`` lists a report's photo URLs
(Open311 ``media_url``), ``check_report_token`` is the one place a report token is checked.
"""

from citizen_api.photos.album import photo_urls
from citizen_api.photos.tokens import check_report_token, issue_report_token

__all__ = ["check_report_token", "issue_report_token", "photo_urls"]
