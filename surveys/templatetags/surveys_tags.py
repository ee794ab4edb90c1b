from django import template

register = template.Library()


@register.filter
def percent(value) -> str:
    """0.485 -> "48.5%"; empty for no value."""
    if value is None or value == "":
        return ""
    return f"{float(value) * 100:.1f}%"


@register.filter
def share(count, total) -> float:
    """The width (0-100) of a bar for `count` out of `total`."""
    if not count or not total:
        return 0
    return round(100 * count / total, 1)
