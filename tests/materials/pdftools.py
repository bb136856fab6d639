"""Poppler and zbar, the tools a real print shop and a real phone stand in for."""

import re
import shutil
import subprocess


def _tool(name):
    path = shutil.which(name)
    assert path, f"{name} is missing: `make system-deps` installs it"
    return path


def pdf_to_png(data: bytes, tmp_path, *, dpi=150, name="page"):
    """Render every page of a PDF to PNG with poppler; returns the PNG paths."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(data)
    subprocess.run([_tool("pdftoppm"), "-r", str(dpi), "-png", str(source), str(tmp_path / name)], check=True)
    return sorted(tmp_path.glob(f"{name}*.png"))


def decode_qr(png_path) -> list[str]:
    """Every QR code zbar finds in an image."""
    result = subprocess.run(
        [_tool("zbarimg"), "--raw", "-q", "-Sdisable", "-Sqrcode.enable", str(png_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return [line for line in result.stdout.splitlines() if line]


def pdf_text(data: bytes, tmp_path, *, layout=False, name="text") -> str:
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(data)
    arguments = [_tool("pdftotext"), *(["-layout"] if layout else []), str(source), "-"]
    return subprocess.run(arguments, capture_output=True, text=True, check=True).stdout


def pdf_words(data: bytes, tmp_path, *, name="words"):
    """[(word, x_min, x_max, page_width)] from ``pdftotext -bbox``."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(data)
    html = subprocess.run(
        [_tool("pdftotext"), "-bbox", str(source), "-"], capture_output=True, text=True, check=True
    ).stdout
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', html
    )
    return [(word, float(x_min), float(x_max), width) for x_min, x_max, word in words]


def pdf_page_count(data: bytes, tmp_path) -> int:
    source = tmp_path / "count.pdf"
    source.write_bytes(data)
    info = subprocess.run([_tool("pdfinfo"), str(source)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def pdf_images(data: bytes, tmp_path) -> list[dict]:
    """Every image placement poppler lists: pixel size, colour space (``rgb``, ``index``
    for a palette), bits per component, encoding and printed resolution (ppi)."""
    source = tmp_path / "images.pdf"
    source.write_bytes(data)
    listing = subprocess.run(
        [_tool("pdfimages"), "-list", str(source)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]  # two header lines
    images = []
    for line in listing:
        columns = line.split()
        images.append(
            {
                "width": int(columns[3]),
                "height": int(columns[4]),
                "color": columns[5],
                "bpc": int(columns[7]),
                "encoding": columns[8],
                "x_ppi": int(columns[12]),
                "y_ppi": int(columns[13]),
            }
        )
    return images


def pdf_image_files(data: bytes, tmp_path, *, name="extracted") -> list:
    """Every image stored in a PDF, decoded by poppler to PNG (palette applied)."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(data)
    subprocess.run([_tool("pdfimages"), "-png", str(source), str(tmp_path / name)], check=True)
    return sorted(tmp_path.glob(f"{name}-*.png"))
