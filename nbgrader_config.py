"""nbgrader's configuration for the course (read by every `nbgrader ...` command run from the repository's root).

The course directory lives in build/nbgrader (git-ignored): `make assignments` copies the instructor's
notebooks (notebooks/, with solution regions and test cells) into its source/ folder and runs
`nbgrader generate_assignment`; its gradebook.db then holds the tests (hidden ones too) that
`make autograde` restores into every submission before grading. Keep that folder for as long as you
grade the release you handed out. tools/assignments.py passes --CourseDirectory.root to use another.
"""

import os

c = get_config()  # noqa: F821 (nbgrader's config loader defines it)

c.CourseDirectory.root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "build", "nbgrader")
c.CourseDirectory.course_id = "imitation-learning"
# a graded cell trains a policy: give it time (the course's tests take 1-10 s each on 2 cores)
c.Execute.timeout = 600
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
