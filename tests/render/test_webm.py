"""``render --out clip.webm`` writes a browser-playable WebM (VP8), which .mp4 with mp4v is not."""

from __future__ import annotations

from tests.helpers.cli import call_main


def test_render_writes_a_vp8_webm(tmp_path, capsys):
    out = tmp_path / "clip.webm"
    # 640 x 360 from t = 0: the container and codec are what is tested, not the full-HD encoding time.
    small = ["--start", "0", "--set", "cameras.0.resolution=[640,360]"]
    assert call_main(["render", "--camera", "cam-beach-w", "--seconds", "1", *small, "--out", str(out)]) == 0
    head = out.read_bytes()[:4096]
    assert head.startswith(b"\x1a\x45\xdf\xa3")  # EBML: a Matroska / WebM file
    assert b"webm" in head and b"V_VP8" in head
    assert [p.name for p in tmp_path.iterdir()] == ["clip.webm"]
