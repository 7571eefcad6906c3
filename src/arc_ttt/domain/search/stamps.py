"""A template copied onto markers: the one many-colored object stamped over each single-cell
marker (centred on it) and over each solid one-color object with the template's box."""

from __future__ import annotations

import numpy as np

from arc_ttt.domain.search.cells import Cells
from arc_ttt.domain.search.objects import components


def stamp_template(a: Cells, background: int = 0) -> Cells | None:
    """The template is the only object (8-connected, any colors) with two or more colors.
    Every one-cell object is replaced by the template centred on it (odd sides only), and
    every solid one-color object whose box has the template's shape by the template itself.
    Applies when the template exists and something was stamped; stamps are clipped at the edge.
    """
    objs = components(a, diagonal=True, by_color=False, background=background)
    many = [o for o in objs if len(o.colors()) >= 2]
    if len(many) != 1 or len(objs) > 40:
        return None
    template = many[0]
    img = template.image
    th, tw = img.shape
    h, w = a.shape
    out = a.copy()
    stamped = False
    for o in objs:
        if o is template:
            continue
        if o.size == 1:
            if th % 2 == 0 or tw % 2 == 0:
                continue
            y, x = o.cells[0]
            top, left = y - th // 2, x - tw // 2
            out[y, x] = background
        elif (o.bottom - o.top, o.right - o.left) == (th, tw) and o.size == th * tw:
            top, left = o.top, o.left
        else:
            continue
        y0, y1 = max(top, 0), min(top + th, h)
        x0, x1 = max(left, 0), min(left + tw, w)
        if y0 >= y1 or x0 >= x1:
            continue
        piece = img[y0 - top : y1 - top, x0 - left : x1 - left]
        region = out[y0:y1, x0:x1]
        solid = o.size > 1
        # a solid target is overwritten whole; a marker's stamp draws only its colored cells
        region[...] = np.where(solid | (piece != background), piece, region)
        stamped = True
    return out if stamped else None
