"""Regenerate the generated tables of README.md and docs/model.md: python docs/regenerate_tables.py."""
import re
from adoption.indicators import markdown as indicators_md
from adoption.params import Params

readme = open('README.md', encoding='utf-8').read()
start = readme.index('| indicator | meaning | unit | kind | in forecasts |')
end = readme.index('\n\n', start)
readme = readme[:start] + indicators_md() + readme[end:]
open('README.md', 'w', encoding='utf-8').write(readme)
doc = open('docs/model.md', encoding='utf-8').read()
start = doc.index('| name | default | unit | allowed | meaning | source |')
end = doc.index('\n\n', start)
doc = doc[:start] + Params.markdown() + doc[end:]
open('docs/model.md', 'w', encoding='utf-8').write(doc)
