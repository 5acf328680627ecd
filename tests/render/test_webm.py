"""``render --out clip.webm`` writes a browser-playable WebM (VP8), which .mp4 with mp4v is not."""

from __future__ import annotations

from tests.helpers.cli import call_main


def test_render_writes_a_vp8_webm(tmp_path, capsys):
    out = tmp_path / "clip.webm"
    assert call_main(["render", "--camera", "cam-beach-w", "--seconds", "1", "--out", str(out)]) == 0
    head = out.read_bytes()[:4096]
    assert head.startswith(b"\x1a\x45\xdf\xa3")  # EBML: a Matroska / WebM file
    assert b"webm" in head and b"V_VP8" in head
    assert [p.name for p in tmp_path.iterdir()] == ["clip.webm"]
