"""Staff alerts (issue 5): an email to a site's owners and moderators when its queue passes a threshold or one
comment is reported a given number of times. Thresholds are per site (SiteEmailSettings; 0 turns one off)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from parvis.comments.models import Comment, Status
from parvis.core.exceptions import ProblemError
from parvis.dashboard.models import DECIDING_ROLES, Membership
from parvis.notifications import outbox
from parvis.notifications.addresses import normalise_address
from parvis.notifications.models import SiteEmailSettings, StaffAlertState


def _staff(site_id: int) -> list[tuple[int, str]]:
    """(user id, address) of the site's owners and moderators who have a valid address."""
    result = []
    members = Membership.objects.filter(site_id=site_id, role__in=DECIDING_ROLES, user__is_active=True)
    for user_id, email in members.values_list("user_id", "user__email"):
        try:
            result.append((user_id, normalise_address(email)))
        except ProblemError:  # a staff account without a usable address is simply not alerted
            continue
    return result


def check_all() -> int:
    """Write the alerts that are due on every site with thresholds; return how many emails were written."""
    written = 0
    for preferences in SiteEmailSettings.objects.select_related("site").exclude(
        queue_alert_threshold=0, report_alert_threshold=0
    ):
        written += check_site(preferences)
    return written


def check_site(preferences: SiteEmailSettings) -> int:
    site = preferences.site
    written = 0
    staff = _staff(site.pk)
    with transaction.atomic():
        state, _ = StaffAlertState.objects.select_for_update().get_or_create(site=site)
        if preferences.queue_alert_threshold:
            waiting = Comment.objects.filter(thread__site=site, status=Status.PENDING).count()
            over = waiting >= preferences.queue_alert_threshold
            if over and not state.queue_alerted:
                # One alert per time the queue crosses the threshold: the crossing's moment (to the microsecond, under
                # the state row's lock) tells two crossings apart, so a second one in the same second still alerts.
                stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
                for user_id, email in staff:
                    written += bool(outbox.enqueue(
                        f"staff-queue:{site.pk}:{user_id}:{stamp}", site=site, kind="staff_queue", recipient=email,
                        language=site.default_language, payload={"count": waiting},
                    ))  # fmt: skip
            if over != state.queue_alerted:
                state.queue_alerted = over
                state.save(update_fields=["queue_alerted"])
        if preferences.report_alert_threshold:
            reported = (
                Comment.objects.filter(thread__site=site, flag_count__gte=preferences.report_alert_threshold)
                .exclude(status=Status.DELETED)
                .values_list("pk", flat=True)[:100]
            )
            for comment_id in reported:
                for user_id, email in staff:
                    # The key makes it one alert per comment and staff member, however often this runs.
                    written += bool(outbox.enqueue(
                        f"staff-report:{comment_id}:{user_id}", site=site, kind="staff_report", recipient=email,
                        language=site.default_language, payload={"comment": comment_id},
                    ))  # fmt: skip
    return written
