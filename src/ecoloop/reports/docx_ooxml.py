"""WordprocessingML details python-docx does not cover: East-Asian fonts and schema-ordered child elements.

East-Asian fonts:

python-docx's ``font.name`` sets only ``w:ascii``/``w:hAnsi``; Chinese text is drawn with ``w:eastAsia``, and any
``w:*Theme`` attribute overrides the explicit names. These helpers set all four explicit names and drop the theme
attributes, on styles, document defaults and runs alike.
"""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn


# Child order of w:rPr and w:pPr (ECMA-376 Part 1, CT_RPr / CT_PPrBase); Word refuses files that break it.
def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


RPR_ORDER = _names(
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
    "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl cs "
    "em lang eastAsianLayout specVanish oMath"
)
PPR_ORDER = _names(
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
    "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
    "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
    "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
)


def ordered_child(parent, tag: str):  # noqa: ANN001, ANN201 - lxml elements
    """Return ``parent``'s ``w:<tag>`` child, creating it at its schema position (w:rPr or w:pPr parents)."""
    existing = parent.find(qn(f"w:{tag}"))
    if existing is not None:
        return existing
    local = parent.tag.rsplit("}", 1)[-1]
    order = RPR_ORDER if local == "rPr" else PPR_ORDER
    el = OxmlElement(f"w:{tag}")
    successors = {qn(f"w:{t}") for t in order[order.index(tag) + 1:]}
    for i, child in enumerate(parent):
        if child.tag in successors:
            parent.insert(i, el)
            return el
    parent.append(el)
    return el


_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def set_rpr_fonts(rpr, font: str, *, latin: str | None = None) -> None:  # noqa: ANN001 - CT_RPr element
    """Set ``w:rFonts`` of an ``w:rPr`` element: eastAsia = ``font``; ascii/hAnsi/cs = ``latin`` or ``font``."""
    rfonts = ordered_child(rpr, "rFonts")
    for attr in _THEME_ATTRS:
        key = qn(attr)
        if key in rfonts.attrib:
            del rfonts.attrib[key]
    latin = latin or font
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), font)


def set_run_font(run, font: str, *, latin: str | None = None) -> None:  # noqa: ANN001 - docx Run
    set_rpr_fonts(run._r.get_or_add_rPr(), font, latin=latin)


def set_style_font(style, font: str, *, latin: str | None = None) -> None:  # noqa: ANN001 - docx style
    set_rpr_fonts(style.element.get_or_add_rPr(), font, latin=latin)


def east_asia_font(run) -> str | None:  # noqa: ANN001 - docx Run
    """The run's explicit ``w:eastAsia`` font name (None when not set on the run)."""
    rpr = run._r.rPr
    if rpr is None:
        return None
    rfonts = rpr.find(qn("w:rFonts"))
    return None if rfonts is None else rfonts.get(qn("w:eastAsia"))


def style_east_asia_font(style) -> str | None:  # noqa: ANN001 - docx style
    """The style's own ``w:eastAsia`` font, following ``basedOn`` when the style does not set it."""
    while style is not None:
        rpr = style.element.rPr
        if rpr is not None:
            rfonts = rpr.find(qn("w:rFonts"))
            if rfonts is not None and rfonts.get(qn("w:eastAsia")):
                return rfonts.get(qn("w:eastAsia"))
        style = style.base_style
    return None
