"""Tumour burden to lesion sizes, and response by RECIST 1.1 and iRECIST at each scan.

Sizes: the burden (cells) is split equally into ``lesions`` spherical target lesions at
``cells_per_cm3`` (1e9 cells per cm^3 is the usual convention: Del Monte 2009, Cell Cycle
8:505); the sum of longest diameters (SLD, mm) is ``lesions`` times one lesion's diameter, so
SLD scales as burden^(1/3) and a 30% fall in SLD is a 66% fall in volume.

RECIST 1.1 (Eisenhauer et al. 2009, Eur J Cancer 45:228), per scan:

* CR: every target lesion gone, here each below ``cr_diameter_mm`` (below CT resolution);
* PR: SLD at least 30% below the baseline SLD;
* PD: SLD at least 20% above the nadir (smallest SLD so far, baseline included) **and** at
  least 5 mm above it;
* SD: neither.

The best overall response (BOR) counts CR/PR only when confirmed by a scan at least
``confirm_days`` later (before any PD) if ``confirm``; SD needs a scan at least
``sd_min_days`` after the start. Death before the first scan counts as PD.

iRECIST (Seymour et al. 2017, Lancet Oncol 18:e143): a first RECIST progression is iUPD; it is
confirmed (iCPD) at the next scan if the SLD grew by at least another 5 mm; if the SLD falls
back below the progression thresholds the iUPD was a pseudoprogression and assessment
continues from the nadir; otherwise it stays iUPD until the next scan. An iUPD left
unconfirmed at the last scan counts as progression on its date (conservative).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from enum import IntEnum

import numpy as np


class Response(IntEnum):
    """A RECIST 1.1 response category, coded as the integers the (N, S) arrays hold; smaller
    is better among CR < PR < SD < PD (NE, not evaluable, is 0)."""

    NE = 0
    CR = 1
    PR = 2
    SD = 3
    PD = 4


CR, PR, SD, PD, NE = Response.CR, Response.PR, Response.SD, Response.PD, Response.NE
LABELS = {int(r): r.name for r in Response}


@dataclass(frozen=True)
class Assessment:
    """RECIST 1.1 and iRECIST for N patients at S scans (codes are :class:`Response` values).

    ``response`` (N, S) per scan; ``bor`` best overall response; ``pd_day`` first PD scan (inf
    if none); ``response_day`` first scan of the confirmed response (NaN if none);
    ``best_change`` best % change of SLD from baseline up to PD; ``iupd_day`` first iUPD;
    ``iprogression_day`` iRECIST progression date (inf if none); ``icpd_scan_day`` the scan
    that confirmed it; ``pseudoprogression`` (bool); ``ibor`` iRECIST best response.
    """

    response: np.ndarray
    bor: np.ndarray
    pd_day: np.ndarray
    response_day: np.ndarray
    best_change: np.ndarray
    iupd_day: np.ndarray
    iprogression_day: np.ndarray
    icpd_scan_day: np.ndarray
    pseudoprogression: np.ndarray
    ibor: np.ndarray

    def __getitem__(self, name: str) -> np.ndarray:
        """``assessment["bor"]`` is ``assessment.bor`` (the mapping form of earlier versions)."""
        if name not in {f.name for f in fields(self)}:
            raise KeyError(name)
        return np.asarray(getattr(self, name))

    def keys(self) -> list[str]:
        """The field names (as a mapping's keys)."""
        return [f.name for f in fields(self)]

    def items(self) -> list[tuple[str, np.ndarray]]:
        """``(name, array)`` of every field (as a mapping's items)."""
        return [(k, self[k]) for k in self.keys()]

    def labels(self, name: str = "bor") -> np.ndarray:
        """The codes of ``name`` as labels ("CR", "PR", ...), an object array."""
        codes = np.asarray(self[name])
        return np.vectorize(LABELS.get, otypes=[object])(codes)


def sld_mm(cells: np.ndarray, *, lesions: int = 3, cells_per_cm3: float = 1e9) -> np.ndarray:
    """Sum of longest diameters (mm) of ``lesions`` equal spheres holding ``cells`` in all."""
    v = np.maximum(np.asarray(cells, dtype=np.float64), 0.0) / cells_per_cm3 / lesions  # cm3
    return lesions * 10.0 * np.cbrt(6.0 * v / math.pi)


def assess(scan_days: np.ndarray, baseline: np.ndarray, sld: np.ndarray, *,
           lesions: int = 3, cr_diameter_mm: float = 5.0, confirm: bool = True,
           confirm_days: float = 28.0, sd_min_days: float = 42.0,
           death_day: np.ndarray | None = None) -> Assessment:
    """RECIST 1.1 and iRECIST for N patients at S scans.

    ``sld`` is (N, S) in mm, NaN for scans a patient did not have (dead or off study);
    ``baseline`` (N,) mm; ``death_day`` (N,) days, NaN if alive. Returns the per-patient
    :class:`Assessment`.
    """
    days = np.asarray(scan_days, dtype=np.float64)
    sld = np.asarray(sld, dtype=np.float64)
    base = np.asarray(baseline, dtype=np.float64)
    n, s = sld.shape
    death = np.full(n, np.nan) if death_day is None else np.asarray(death_day, np.float64)
    cr_sum = lesions * cr_diameter_mm

    def code(x: np.ndarray, nadir: np.ndarray) -> np.ndarray:
        c = np.full(n, SD)
        c[x <= 0.7 * base] = PR
        c[x < cr_sum] = CR
        c[(x >= 1.2 * nadir) & (x - nadir >= 5.0)] = PD
        c[np.isnan(x)] = NE
        return c

    # ---- RECIST 1.1
    response = np.zeros((n, s), dtype=np.int64)
    nadir = base.copy()
    for k in range(s):
        x = sld[:, k]
        response[:, k] = code(x, nadir)
        nadir = np.where(np.isnan(x), nadir, np.minimum(nadir, x))
    is_pd = response == PD
    first_pd = np.where(is_pd.any(axis=1), is_pd.argmax(axis=1), s)
    pd_day = np.where(first_pd < s, days[np.minimum(first_pd, s - 1)], np.inf)
    before_pd = np.arange(s)[None, :] < first_pd[:, None]
    confirmed = np.full((n, s), NE)
    for k in range(s):
        r = response[:, k]
        if not confirm:
            confirmed[:, k] = np.where(np.isin(r, (CR, PR)), r, NE)
            continue
        later = np.flatnonzero(days >= days[k] + confirm_days)
        if later.size == 0:
            continue
        j = later[0]
        rj = response[:, j]
        ok = np.isin(r, (CR, PR)) & np.isin(rj, (CR, PR)) & (first_pd > j)
        confirmed[:, k] = np.where(ok, np.maximum(r, rj), NE)
    conf_before = np.where(before_pd & (confirmed != NE), confirmed, 99)
    best_conf = conf_before.min(axis=1)
    has_resp = best_conf <= PR
    first_resp = np.where(has_resp, (conf_before <= PR).argmax(axis=1), 0)
    response_day = np.where(has_resp, days[first_resp], np.nan)
    sd_ok = (before_pd & np.isin(response, (CR, PR, SD)) & (days[None, :] >= sd_min_days)).any(1)
    bor = np.where(has_resp, best_conf, np.where(sd_ok, SD, NE))
    early_death = np.isfinite(death) & ~sd_ok & ~has_resp
    bor = np.where((bor == NE) & ((first_pd < s) | early_death), PD, bor)
    with np.errstate(invalid="ignore"):
        change = 100.0 * (sld / base[:, None] - 1.0)
    masked = np.where(np.arange(s)[None, :] <= first_pd[:, None], change, np.nan)
    all_nan = np.isnan(masked).all(axis=1)
    best_change = np.full(n, np.nan)
    best_change[~all_nan] = np.nanmin(masked[~all_nan], axis=1)

    # ---- iRECIST
    pending = np.zeros(n, dtype=bool)
    ref = np.full(n, np.nan)
    iupd_first = np.full(n, np.nan)
    iupd_open = np.full(n, np.nan)
    iprog = np.full(n, np.inf)
    icpd_scan = np.full(n, np.inf)
    pseudo = np.zeros(n, dtype=bool)
    done = np.zeros(n, dtype=bool)
    inadir = base.copy()
    ibest = np.full(n, NE)
    for k in range(s):
        x = sld[:, k]
        seen = ~np.isnan(x) & ~done
        c = code(x, inadir)
        # confirmation of an open iUPD
        conf = seen & pending & (x - ref >= 5.0)
        iprog[conf] = iupd_open[conf]
        icpd_scan[conf] = days[k]
        done |= conf
        back = seen & pending & ~conf & (c != PD)
        pseudo |= back
        pending &= ~back
        new = seen & ~pending & ~done & (c == PD)
        ref[new] = x[new]
        iupd_open[new] = days[k]
        iupd_first[new & np.isnan(iupd_first)] = days[k]
        pending |= new
        ok = seen & ~pending & ~done
        ibest[ok] = np.where(ibest[ok] == NE, c[ok], np.minimum(ibest[ok], c[ok]))
        inadir = np.where(seen, np.minimum(inadir, np.where(np.isnan(x), np.inf, x)), inadir)
    left_open = pending & ~done
    iprog[left_open] = iupd_open[left_open]
    ibor = np.where((ibest == NE) & np.isfinite(iprog), PD, ibest)
    return Assessment(
        response=response, bor=bor, pd_day=pd_day, response_day=response_day,
        best_change=best_change, iupd_day=iupd_first, iprogression_day=iprog,
        icpd_scan_day=icpd_scan, pseudoprogression=pseudo, ibor=ibor,
    )


__all__ = ["CR", "LABELS", "NE", "PD", "PR", "SD", "Assessment", "Response", "assess",
           "sld_mm"]
