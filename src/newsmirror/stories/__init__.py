"""Stories across outlets (the stories stage): near-duplicates with provenance, and story grouping.

Each article is placed, on arrival and incrementally, against the articles published within two weeks
of it, after folding script (OpenCC) and name spellings (the alias list):
- a copy of an earlier text (a wire reprint, a script version, a lightly edited update) points at the
  original it copies (`copy_of`: who published first, and when) and joins its story; every outlet's
  copy stays an article of its own, with its own revisions;
- any other article joins the story it is most like, by the terms it shares with one of the story's
  articles and how close in time they are, or starts a story of its own.

`features` says what is compared, `cluster` how an article is placed, `stage` how the stage catches
up from the store's change numbers and regroups the archive; `views` groups search hits by story.
"""

from __future__ import annotations

from newsmirror.stories.stage import StoryRun, rebuild_stories, sync_stories

__all__ = ["StoryRun", "rebuild_stories", "sync_stories"]
