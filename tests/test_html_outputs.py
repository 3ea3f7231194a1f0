"""`--html` on check, search and gate writes one self-contained report with diagrams."""

from leaderless.checker.cli import main


def _report(path) -> str:
    text = path.read_text()
    assert text.startswith("<!DOCTYPE html>")
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in text
    return text


def test_check_html(tmp_path, capsys):
    path = tmp_path / "check.html"
    main(
        [
            "check",
            "--quiet",
            "--n",
            "3",
            "--w",
            "1",
            "--r",
            "1",
            "--clients",
            "w,r",
            "--html",
            str(path),
        ]
    )
    capsys.readouterr()
    assert _report(path).count("<svg") == 2  # stale-read and linearizable


def test_search_html(tmp_path, capsys):
    path = tmp_path / "search.html"
    code = main(
        [
            "search",
            "--quiet",
            "--n",
            "3",
            "--w",
            "2",
            "--r",
            "1",
            "--clients",
            "w,r",
            "--timeouts",
            "--require",
            "write-atomicity",
            "--examples",
            "20",
            "--html",
            str(path),
        ]
    )
    capsys.readouterr()
    assert code == 1
    assert "write-atomicity" in _report(path) and "<svg" in _report(path)


def test_gate_html_has_every_scenario_and_the_summary(tmp_path, capsys):
    gate = tmp_path / "leaderless.toml"
    gate.write_text(
        '[[scenario]]\nname = "ok"\nclients = "w,r"\nrequire = ["stale-read"]\n\n'
        '[[scenario]]\nname = "ones"\nn = 3\nw = 1\nr = 1\nclients = "w,r"\n'
        'require = ["stale-read"]\n\n'
        '[[scenario]]\nname = "dcs"\nreplication = { dc1 = 3, dc2 = 3 }\n'
        'write = "LOCAL_QUORUM"\nwrite_dc = "dc1"\nread = "LOCAL_QUORUM"\n'
        'read_dc = "dc2"\nexpect_violated = ["quorum-overlap"]\n'
    )
    path = tmp_path / "gate.html"
    assert main(["gate", str(gate), "--quiet", "--html", str(path)]) == 1
    capsys.readouterr()
    text = _report(path)
    # The summary lists every check, Z3-only scenarios included.
    assert text.count("<td>quorum-overlap</td>") == 1 and "<td>FAIL</td>" in text
    # A section per explored scenario, anchors kept apart.
    assert "<h2>ok: n=3 w=2 r=2" in text and "<h2>ones: n=3 w=1 r=1" in text
    assert 'id="s1-trace-stale-read"' in text and text.count("<svg") == 2
