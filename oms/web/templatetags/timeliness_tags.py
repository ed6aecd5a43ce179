"""At-risk and overdue badges in the team queues: `{% deadline_marker markers key %}`."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.inclusion_tag("web/timeliness/_marker.html")
def deadline_marker(markers, key):
    """The badge of the item `key` when `markers` (from timeliness.selectors.markers) has one."""
    return {"marker": (markers or {}).get(key)}


@register.simple_tag
def time_left(due, now):
    """A short "3h 20m" between now and due, either way."""
    seconds = abs(int((due - now).total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(days)sd %(hours)sh") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)sh %(minutes)sm") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)sm") % {"minutes": minutes}
