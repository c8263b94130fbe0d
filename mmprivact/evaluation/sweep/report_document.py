"""A small report model rendered to Markdown and to self-contained HTML."""
import base64
import html
import os.path as osp
from typing import List, Optional, Sequence, Tuple

_CSS = """
body { font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f3f3f3; }
td:first-child, th:first-child { text-align: left; }
img { max-width: 100%; }
figcaption { font-size: 0.9em; color: #555; }
code { background: #f5f5f5; padding: 0 0.2em; }
"""


def _md_cell(text: str) -> str:
    return str(text).replace('|', '\\|').replace('\n', ' ')


class ReportDocument:
    """Headings, paragraphs, tables and images, in order.

    Markdown references images by their path relative to the report;
    HTML embeds them as base64 PNG, so the ``.html`` file stands alone.

    Args:
        title (str): The document's title.
    """

    def __init__(self, title: str) -> None:
        self.title = title
        self.blocks: List[Tuple] = []

    def heading(self, text: str, level: int = 2) -> None:
        """Add a heading (level 2 or deeper; the title is level 1)."""
        self.blocks.append(('heading', text, level))

    def paragraph(self, text: str) -> None:
        """Add a paragraph of plain text (Markdown ``code`` spans allowed)."""
        self.blocks.append(('paragraph', text))

    def bullets(self, items: Sequence[str]) -> None:
        """Add a bullet list."""
        self.blocks.append(('bullets', list(items)))

    def table(self, header: Sequence[str],
              rows: Sequence[Sequence[str]]) -> None:
        """Add a table of strings."""
        self.blocks.append(('table', list(header), [list(r) for r in rows]))

    def image(self, path: str, caption: str) -> None:
        """Add a PNG (``path`` absolute or relative to the report)."""
        self.blocks.append(('image', path, caption))

    # -- rendering -----------------------------------------------------------
    def to_markdown(self, base_dir: str) -> str:
        """The document as Markdown.

        Args:
            base_dir (str): Folder of the ``.md`` file (image links are
                relative to it).
        """
        out = [f'# {self.title}', '']
        for block in self.blocks:
            kind = block[0]
            if kind == 'heading':
                out += ['#' * block[2] + ' ' + block[1], '']
            elif kind == 'paragraph':
                out += [block[1], '']
            elif kind == 'bullets':
                out += [f'- {item}' for item in block[1]] + ['']
            elif kind == 'table':
                header, rows = block[1], block[2]
                out.append('| ' + ' | '.join(map(_md_cell, header)) + ' |')
                out.append('|' + '---|' * len(header))
                out += ['| ' + ' | '.join(map(_md_cell, r)) + ' |'
                        for r in rows]
                out.append('')
            elif kind == 'image':
                rel = osp.relpath(osp.join(base_dir, block[1]), base_dir)
                out += [f'![{block[2]}]({rel})', '', f'*{block[2]}*', '']
        return '\n'.join(out)

    @staticmethod
    def _inline(text: str) -> str:
        """Escape, then turn Markdown ``code`` spans into <code>."""
        parts = str(text).split('`')
        return ''.join(
            f'<code>{html.escape(p)}</code>' if i % 2 else html.escape(p)
            for i, p in enumerate(parts))

    def to_html(self, base_dir: str) -> str:
        """The document as one HTML page with the images embedded.

        Args:
            base_dir (str): Folder relative image paths are read from.
        """
        out = [
            '<!DOCTYPE html>', '<html><head><meta charset="utf-8">',
            f'<title>{html.escape(self.title)}</title>',
            f'<style>{_CSS}</style></head><body>',
            f'<h1>{html.escape(self.title)}</h1>'
        ]
        for block in self.blocks:
            kind = block[0]
            if kind == 'heading':
                level = min(block[2], 6)
                out.append(f'<h{level}>{self._inline(block[1])}</h{level}>')
            elif kind == 'paragraph':
                out.append(f'<p>{self._inline(block[1])}</p>')
            elif kind == 'bullets':
                out.append('<ul>' + ''.join(
                    f'<li>{self._inline(i)}</li>' for i in block[1]) +
                           '</ul>')
            elif kind == 'table':
                head = ''.join(f'<th>{self._inline(h)}</th>'
                               for h in block[1])
                body = ''.join('<tr>' + ''.join(
                    f'<td>{self._inline(c)}</td>' for c in row) + '</tr>'
                               for row in block[2])
                out.append(f'<table><thead><tr>{head}</tr></thead>'
                           f'<tbody>{body}</tbody></table>')
            elif kind == 'image':
                out.append(self._figure(osp.join(base_dir, block[1]),
                                        block[2]))
        out.append('</body></html>')
        return '\n'.join(out)

    def _figure(self, path: str, caption: str) -> str:
        data: Optional[str] = None
        if osp.isfile(path):
            with open(path, 'rb') as f:
                data = base64.b64encode(f.read()).decode('ascii')
        img = (f'<img alt="{html.escape(caption)}" '
               f'src="data:image/png;base64,{data}">'
               if data else f'<p>(image {html.escape(path)} missing)</p>')
        return (f'<figure>{img}<figcaption>{self._inline(caption)}'
                '</figcaption></figure>')


__all__ = ['ReportDocument']
