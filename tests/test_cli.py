"""python -m windrose_sites: commands, byte-exact output, warnings and errors, never a traceback."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from windrose_sites import cli, pipeline

ROOT = Path(__file__).resolve().parent.parent
STATE = "w_logistics=80&method=topsis"


@pytest.fixture(scope="module")
def inputs() -> pipeline.Inputs:
    return pipeline.load_inputs()


def expected(inputs: pipeline.Inputs, query: str, fmt: str = "csv") -> bytes:
    state = pipeline.parse_state(query, inputs)[0]
    work = pipeline.working_set(inputs)
    ranking = pipeline.rank(work, inputs, state)
    build = pipeline.comparison_json if fmt == "json" else pipeline.comparison_csv
    return build(ranking, work, inputs)


def run_cli(*args: str | bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "windrose_sites", *args],
        capture_output=True,
        cwd=ROOT,
        timeout=300,
        check=False,
        env=dict(os.environ, PYTHONIOENCODING="utf-8"),
    )


def in_process(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def assert_no_traceback(stderr: str | bytes) -> None:
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    assert "Traceback" not in text, text
    assert 'File "' not in text, text


# --------------------------------------------------------------------------- subprocess


def test_help_lists_the_commands():
    done = run_cli("--help")
    assert done.returncode == 0
    out = done.stdout.decode()
    assert "rank" in out
    assert "cost" in out
    assert_no_traceback(done.stderr)


def test_rank_csv_prints_exactly_the_download_bytes(inputs):
    done = run_cli("rank", "--state", STATE, "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected(inputs, STATE)
    assert done.stderr == b""


def test_rank_json_is_the_same_table(inputs):
    done = run_cli("rank", "--state", STATE, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected(inputs, STATE, "json")
    records = json.loads(done.stdout)
    frame = pd.read_csv(io.BytesIO(expected(inputs, STATE)))
    assert [r["site_id"] for r in records] == frame["site_id"].tolist()
    assert [r["score"] for r in records] == frame["score"].tolist()


def test_rank_accepts_a_whole_shared_link(inputs):
    done = run_cli("rank", "--state", f"http://localhost:8501/compare?{STATE}")
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected(inputs, STATE)


def test_rank_writes_a_file(inputs, tmp_path):
    target = tmp_path / "out.csv"
    code, out, err = in_process("rank", "--state", STATE, "-o", str(target))
    assert (code, out, err) == (0, "", "")
    assert target.read_bytes() == expected(inputs, STATE)


HOSTILE = [
    "w_jobs=NaN&method=%3Cscript%3E&w_cost=" + "9" * 5000,
    "w_jobs=inf&w_cost=-1&w_market=1e309&c_unemployment_pct=0x10",
    "method=topsis&method=wsm&sel=../../etc/passwd",
    "%FF%FE=%00&=&&&",
    "d_sea_distance_nm=sideways&min_area_ha=1e999&max_port_km=-5",
    "country=,,,XX&w_logistics=1%0A2",
    "<script>alert(1)</script>",
    "-w_jobs=1",
]


@pytest.mark.parametrize("state", HOSTILE)
def test_hostile_state_warns_on_stderr_like_the_app(inputs, state):
    done = run_cli("rank", f"--state={state}")
    assert done.returncode == 0, done.stderr
    assert_no_traceback(done.stderr)
    warnings = pipeline.parse_state(state, inputs)[1]
    assert warnings
    lines = done.stderr.decode().splitlines()
    assert [ln for ln in lines if ln.startswith("warning:")] == [
        f"warning: Link parameter: {w}" for w in warnings
    ]
    assert len(pd.read_csv(io.BytesIO(done.stdout))) > 0


def test_undecodable_bytes_in_the_state_are_harmless():
    done = run_cli("rank", b"--state=w_jobs=\xff\xfe&method=\xc3")
    assert done.returncode == 0
    assert_no_traceback(done.stderr)
    assert b"Ignored w_jobs" in done.stderr


def test_every_site_filtered_out_is_a_clean_error():
    done = run_cli("rank", "--state", "country=BE&min_area_ha=1000000")
    assert done.returncode == cli.EXIT_NO_RESULT
    assert done.stdout == b""
    assert_no_traceback(done.stderr)
    assert b"Every site is filtered out" in done.stderr
    assert b"note: filtered out" in done.stderr  # says which and why


# --------------------------------------------------------------------------- in process


def test_no_command_prints_the_help_as_an_error():
    code, out, err = in_process()
    assert code == cli.EXIT_USAGE
    assert out == ""
    assert "rank" in err


@pytest.mark.parametrize(
    "args",
    [("rank", "--format", "xml"), ("rank", "--state"), ("frobnicate",), ("rank", "--nope")],
)
def test_bad_command_lines_are_usage_errors(args):
    code, out, err = in_process(*args)
    assert code == cli.EXIT_USAGE
    assert out == ""
    assert "usage:" in err
    assert_no_traceback(err)


def test_command_help_goes_to_the_given_stream():
    code, out, err = in_process("rank", "--help")
    assert code == 0
    assert err == ""
    assert "--state" in out
    assert "--format" in out


def test_in_process_rank_gives_the_same_text(inputs):
    code, out, err = in_process("rank", "--state", STATE, "--format", "json")
    assert code == 0
    assert err == ""
    assert out.encode() == expected(inputs, STATE, "json")


def test_zero_weights_say_why_there_is_no_ranking():
    groups = "&".join(f"w_{g}=0" for g in ("logistics", "jobs", "port_access", "cost"))
    code, out, err = in_process("rank", "--state", groups + "&w_sustainability=0&w_market=0")
    assert code == cli.EXIT_NO_RESULT
    assert out == ""
    assert "weight" in err
    assert_no_traceback(err)


def test_a_huge_state_is_ignored_as_streamlit_does(inputs):
    code, out, err = in_process("rank", "--state", "w_jobs=1&x=" + "9" * 600_000)
    assert code == 0
    assert err == ""
    assert out.encode() == expected(inputs, "")


def test_user_sites_from_a_file_are_ranked(tmp_path):
    sites = tmp_path / "mine.csv"
    sites.write_text("name,lat,lon\nMesa test site,33.40,-111.80\nBroken,abc,1\n")
    code, out, err = in_process("rank", "--sites", str(sites))
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert "Mesa test site" in set(frame["name"])
    assert "error: mine.csv: row 2" in err  # the upload's problems, per row


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read"), ("name,lat,lon\nBroken,abc,1\n", "no site could be read")],
)
def test_unusable_site_files_are_clean_errors(tmp_path, content, message):
    path = tmp_path / "sites.csv"
    if content is not None:
        path.write_text(content)
    code, out, err = in_process("rank", "--sites", str(path))
    assert code == cli.EXIT_NO_RESULT
    assert out == ""
    assert message in err
    assert_no_traceback(err)


# --------------------------------------------------------------------------- the registry


def test_cost_is_registered_and_loads_or_says_it_is_missing():
    assert "cost" in [c.name for c in cli.COMMANDS]
    code, out, err = in_process("cost", "--help")
    assert_no_traceback(err)
    if code == cli.EXIT_USAGE:
        assert "not available" in err
    else:
        assert code == 0
        assert "usage:" in out


@pytest.fixture
def plugins(tmp_path, monkeypatch):
    """A package of fake subcommands on sys.path, registered next to the real ones."""
    pkg = tmp_path / "fake_cmds"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    body = textwrap.dedent(
        """
        from windrose_sites.errors import WindroseError

        def add_arguments(parser):
            parser.add_argument("--what", default="ok")

        def main(args, stdout, stderr):
            if args.what == "fail":
                raise WindroseError("nothing to report for this state")
            if args.what == "bug":
                raise RuntimeError("a bug")
            print(f"did {args.what}", file=stdout)
            return 0
        """
    )
    (pkg / "good.py").write_text(body)
    (pkg / "broken.py").write_text("import numpyy_does_not_exist\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(
        cli,
        "COMMANDS",
        (
            *cli.COMMANDS,
            cli.Command("good", "a command that works", "fake_cmds.good"),
            cli.Command("ghost", "a command not written yet", "fake_cmds.ghost.cli"),
            cli.Command("broken", "a command whose import fails", "fake_cmds.broken"),
        ),
    )


@pytest.mark.usefixtures("plugins")
def test_a_registered_command_runs_with_its_own_arguments():
    assert in_process("good", "--what", "this") == (0, "did this\n", "")
    code, out, err = in_process("--help")
    assert code == 0
    assert err == ""
    assert "a command that works" in out


@pytest.mark.usefixtures("plugins")
def test_a_command_error_is_one_line_and_exit_1():
    code, out, err = in_process("good", "--what", "fail")
    assert code == cli.EXIT_NO_RESULT
    assert out == ""
    assert err == "python -m windrose_sites good: nothing to report for this state\n"


@pytest.mark.usefixtures("plugins")
def test_a_bug_is_reported_without_a_traceback_unless_asked():
    code, out, err = in_process("good", "--what", "bug")
    assert code == cli.EXIT_INTERNAL
    assert "internal error: RuntimeError: a bug" in err
    assert_no_traceback(err)
    code, out, err = in_process("--traceback", "good", "--what", "bug")
    assert code == cli.EXIT_INTERNAL
    assert out == ""
    assert "Traceback" in err


@pytest.mark.usefixtures("plugins")
def test_a_missing_command_module_says_so():
    code, out, err = in_process("ghost")
    assert code == cli.EXIT_USAGE
    assert out == ""
    assert "not available in this version" in err
    assert "fake_cmds.ghost.cli" in err


@pytest.mark.usefixtures("plugins")
def test_a_command_with_a_missing_dependency_is_an_internal_error():
    code, out, err = in_process("broken")
    assert code == cli.EXIT_INTERNAL
    assert out == ""
    assert "numpyy_does_not_exist" in err
    assert "not available" not in err
    assert_no_traceback(err)
