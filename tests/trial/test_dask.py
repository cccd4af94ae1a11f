"""The same trial on a real local dask.distributed cluster (a scheduler and two worker
processes) gives exactly the rows of the in-process run."""

from pathlib import Path

import pandas as pd
import pytest

from coley.trial import run_trial

SMOKE = Path(__file__).with_name("smoke.toml")


def test_dask_cluster_matches_local_run(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    local = run_trial(SMOKE, tmp_path / "local", patients=32, report=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = run_trial(SMOKE, tmp_path / "dask", patients=32, report=False,
                           scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(local.patients, remote.patients)
    pd.testing.assert_frame_equal(local.scans, remote.scans)
