"""``--html-link URL``, an option of ``evalkit report`` and ``evalkit run``: where the Markdown
summary links to the HTML report. Its own module, so that ``evalkit run`` does not import the
report command (and the report package) to declare it."""

from __future__ import annotations

import click

#: where ``html_link_option`` keeps its value, in the click context's ``meta``
_HTML_LINK = "evalkit.report.html_link"


def _keep_html_link(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is None:
        return
    # A link a reader follows from a pull-request comment: a web address, or a relative path
    # (no scheme); never javascript:, data: or the like.
    scheme = value.partition(":")[0]
    if ":" in value and "/" not in scheme and scheme.lower() not in ("http", "https"):
        raise click.BadParameter(
            f"{value!r} is not an http(s) address; give the report's URL (https://...) or a "
            "path relative to the Markdown summary"
        )
    if not value.strip():
        raise click.BadParameter("the link is empty; leave --html-link out for report.html")
    ctx.meta[_HTML_LINK] = value


#: ``--html-link URL``: where the Markdown summary (a pull-request comment, the step summary)
#: links to the HTML report, instead of the relative ``report.html`` that is dead outside the
#: report folder. Read through ``given_html_link``.
html_link_option = click.option(
    "--html-link",
    metavar="URL",
    callback=_keep_html_link,
    expose_value=False,
    help="Where the Markdown summary links to the HTML report (e.g. the CI artifact's URL); "
    "default: report.html beside it.",
)


def given_html_link() -> str | None:
    """The ``--html-link`` of the command being run, if it has the option and it was given."""
    ctx = click.get_current_context(silent=True)
    link = ctx.meta.get(_HTML_LINK) if ctx is not None else None
    return link if isinstance(link, str) else None
