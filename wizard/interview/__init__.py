"""The interview: questions loaded from prompts/*.yaml and the engine that walks them.

Pure Python: nothing here may import textual or questionary (tests/test_import_hygiene.py checks it).
Front-ends (wizard.tui, wizard.plain) drive `Interview`; see wizard/interview/engine.py.
"""

from wizard.interview.engine import Ask, Exchange, Interview
from wizard.interview.model import Choice, PromptsError, Question, load_questions

__all__ = ["Ask", "Choice", "Exchange", "Interview", "PromptsError", "Question", "load_questions"]
