from django import template

register = template.Library()


@register.filter
def percent(value) -> str:
    """0.485 -> "48.5%"; empty for no value."""
    if value is None or value == "":
        return ""
    return f"{float(value) * 100:.1f}%"


@register.filter
def share(count, total) -> int:
    """The width of a bar for `count` out of `total`, in whole percent (0-100): the `pct-N`
    classes of post.css set it, since the Content-Security-Policy allows no inline style."""
    if not count or not total:
        return 0
    return max(0, min(100, round(100 * count / total)))
