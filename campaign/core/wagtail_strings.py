# ruff: noqa: E501 - Wagtail's msgids, verbatim
"""Wagtail interface strings that Wagtail's own Indonesian catalogue lacks.

Listed here only so that ``make messages`` puts them in locale/id/LC_MESSAGES/django.po,
where the project translates them: Django gives the catalogues in LOCALE_PATHS
precedence over every app's, so Wagtail's admin, chooser modals and workflow
notification emails read Indonesian. Never imported. The browser walk
(tests/browser/test_admin_walk.py) names any Wagtail string that still shows in English;
add it here and translate it. Strings of Wagtail's JavaScript live in
locale/id/LC_MESSAGES/djangojs.po (maintained by hand: the project has no JavaScript
catalogue of its own to extract).
"""

from django.utils.translation import gettext_noop, ngettext_lazy

WAGTAIL_STRINGS = (
    gettext_noop("There are no %(model_name)s to display."),
    gettext_noop('There are no %(model_name)s to display. Why not <a href="%(add_url)s">add one</a>?'),
    gettext_noop("You saved a new version in another window"),
    gettext_noop('There are no enabled workflows. Why not <a href="%(add_url)s">add one</a>?'),
    gettext_noop('There are no enabled tasks. Why not <a href="%(add_url)s">add one</a>?'),
    # The account page (language, time zone, theme, notifications).
    gettext_noop("Profile"),
    gettext_noop("Name and Email"),
    gettext_noop("Profile picture"),
    gettext_noop("Upload a profile picture:"),
    gettext_noop("Notifications"),
    gettext_noop("Locale"),
    gettext_noop("Use server language: %(language_name)s"),
    gettext_noop("Theme preferences"),
    gettext_noop("System default"),
    gettext_noop("Light"),
    gettext_noop("Dark"),
    gettext_noop("More contrast"),
    gettext_noop("Snug"),
    gettext_noop("Keyboard shortcuts"),
    gettext_noop("Enable custom keyboard shortcuts specific to Wagtail."),
    # The delete confirmation.
    gettext_noop("No, don't delete"),
    gettext_noop("No, don't delete it"),
    gettext_noop("Step %(step_number)s"),
    gettext_noop(
        'You haven\'t created any %(snippet_type_name)s snippets. Why not <a href="%(wagtailsnippets_create_snippet_url)s" target="_blank" rel="noreferrer">create one now</a>?'
    ),
    gettext_noop(
        'Why not <a class="upload-one-now" href="#tab-upload" data-action="w-tabs#select:prevent" data-w-tabs-target="trigger" data-w-tabs-focus-param="true">upload one now</a>?'
    ),
    gettext_noop('%(editor)s has updated comments on "%(title)s"'),
    gettext_noop('%(editor)s has updated comments on "%(title)s".'),
    gettext_noop("%(start_index)s-%(end_index)s of %(items_count)s %(model_name)s"),
    gettext_noop("- Select an option -"),
    gettext_noop("Search all pages…"),
    gettext_noop("Your pages and snippets in a workflow"),
    gettext_noop("Wagtail %(current_version)s editor guide"),
    # Wagtail 8's autosave, while a new page's form is still incomplete.
    gettext_noop("There are validation errors, click save to highlight them."),
    gettext_noop("Actions"),
    gettext_noop("Actions (footer)"),
    gettext_noop("Add Comment"),
    gettext_noop("Add a workflow"),
    gettext_noop("Add comment"),
    gettext_noop("Add selected documents to collection"),
    gettext_noop("Add selected images to collection"),
    gettext_noop("Add tags to the selected documents"),
    gettext_noop("Add tags to the selected images"),
    gettext_noop("Aging pages"),
    gettext_noop("Approve"),
    gettext_noop("Approve with comment"),
    gettext_noop("Assign role to selected users"),
    gettext_noop("Breadcrumb"),
    gettext_noop("By task"),
    gettext_noop("By workflow"),
    gettext_noop("Change the active state for selected users"),
    gettext_noop("Choose another %(object)s"),
    gettext_noop("Choose another image"),
    gettext_noop("Choose another item"),
    gettext_noop("Choose another page"),
    gettext_noop("Clear choice"),
    gettext_noop("Close dialog"),
    gettext_noop("Comment"),
    gettext_noop("Delete %(query)s"),
    gettext_noop("Delete selected documents"),
    gettext_noop("Delete selected images"),
    gettext_noop("Delete selected pages"),
    gettext_noop("Delete selected snippets"),
    gettext_noop("Delete selected users"),
    gettext_noop("Deleted comments"),
    gettext_noop("Deleted comments:"),
    gettext_noop("Download XLSX"),
    gettext_noop("Edit this %(object)s"),
    gettext_noop("Edit this image"),
    gettext_noop("Edit this item"),
    gettext_noop("File size: (high to low)"),
    gettext_noop("File size: (low to high)"),
    gettext_noop("Forgotten password?"),
    gettext_noop("Go to the first error"),
    gettext_noop("Grid layout"),
    gettext_noop("Help"),
    gettext_noop("History"),
    gettext_noop(
        "If you just want to add pages to an existing site, create them as children of the homepage instead."
    ),
    gettext_noop("Layout"),
    gettext_noop("List layout"),
    gettext_noop("Locked pages"),
    gettext_noop("Minimap"),
    gettext_noop("More actions"),
    gettext_noop("More options for '%(title)s'"),
    gettext_noop("Move selected pages"),
    gettext_noop('Multi-word tags with spaces will automatically be enclosed in double quotes (").'),
    gettext_noop("New comments"),
    gettext_noop("New comments:"),
    gettext_noop("New replies"),
    gettext_noop("New replies to:"),
    gettext_noop("New replies:"),
    gettext_noop("New workflow task"),
    gettext_noop("New: %(model_name)s"),
    gettext_noop("Newest"),
    gettext_noop("No %(model_name)s match your query."),
    gettext_noop("No locked pages found."),
    gettext_noop("No pages found."),
    gettext_noop("No pages/snippets have been submitted for moderation yet"),
    gettext_noop("Oldest"),
    gettext_noop("Page types usage"),
    gettext_noop(
        "Pages created here will not be accessible at any URL until they are associated with a site."
    ),
    gettext_noop(
        "Pages created here will not be accessible at any URL. To add pages to an existing site, create them as children of the homepage."
    ),
    gettext_noop("Pagination"),
    gettext_noop("Preview in desktop size"),
    gettext_noop("Preview in mobile size"),
    gettext_noop("Preview in new tab"),
    gettext_noop("Preview in tablet size"),
    gettext_noop("Private. Visit the live page"),
    gettext_noop("Publish %(model_name)s"),
    gettext_noop("Publish selected pages"),
    gettext_noop("Remember me"),
    gettext_noop("Reports"),
    gettext_noop("Request changes"),
    gettext_noop("Resolved comments"),
    gettext_noop("Resolved comments:"),
    gettext_noop("Save your changes before leaving"),
    gettext_noop("Saved"),
    gettext_noop("Search…"),
    gettext_noop("Select"),
    gettext_noop("Select %(title)s"),
    gettext_noop("Select all"),
    gettext_noop("Select row"),
    gettext_noop("Show filters"),
    gettext_noop("Side panels"),
    gettext_noop("Sidebar"),
    gettext_noop("Site history"),
    gettext_noop("Skip to main content"),
    gettext_noop("Sort by"),
    gettext_noop("Sort by '%(label)s' in ascending order."),
    gettext_noop("Sort by '%(label)s' in descending order."),
    gettext_noop("Sort the order of child pages within '%(parent)s' by '%(label)s' in ascending order."),
    gettext_noop("Status %(status)s"),
    gettext_noop("Submit to %(workflow_name)s"),
    gettext_noop("Tag"),
    gettext_noop('The %(model_name)s "%(title)s" has been approved in "%(task)s".'),
    gettext_noop('The %(model_name)s "%(title)s" has been approved in "%(workflow)s".'),
    gettext_noop('The %(model_name)s "%(title)s" has been approved in moderation stage "%(task)s".'),
    gettext_noop('The %(model_name)s "%(title)s" has been approved in workflow "%(workflow)s".'),
    gettext_noop(
        'The %(model_name)s "%(title)s" has been rejected during "%(task)s" in workflow "%(workflow)s" by %(rejector)s.'
    ),
    gettext_noop(
        'The %(model_name)s "%(title)s" has been rejected during "%(task)s" in workflow "%(workflow)s".'
    ),
    gettext_noop('The %(model_name)s "%(title)s" has been rejected during "%(task)s".'),
    gettext_noop('The %(model_name)s "%(title)s" has been rejected during "%(workflow)s".'),
    gettext_noop('The %(model_name)s "%(title)s" has been rejected in moderation stage "%(task)s".'),
    gettext_noop(
        'The %(model_name)s "%(title)s" has been submitted for approval in moderation stage "%(task)s"'
    ),
    gettext_noop(
        'The %(model_name)s "%(title)s" has been submitted for approval in moderation stage "%(task)s".'
    ),
    gettext_noop(
        'The %(model_name)s "%(title)s" has been submitted for approval to moderation stage "%(task)s".'
    ),
    gettext_noop(
        'The %(model_name)s "%(title)s" has been submitted for moderation to workflow "%(workflow)s" by %(requester)s.'
    ),
    gettext_noop(
        'The %(model_name)s "%(title)s" has been submitted for moderation to workflow "%(workflow)s".'
    ),
    gettext_noop('The %(model_name)s "%(title)s" has been submitted to workflow "%(workflow)s"'),
    gettext_noop('The following comment was left: "%(comment)s"'),
    gettext_noop('The page "%(title)s" has been approved in "%(task)s".'),
    gettext_noop('The page "%(title)s" has been approved in "%(workflow)s".'),
    gettext_noop('The page "%(title)s" has been approved in moderation stage "%(task)s".'),
    gettext_noop('The page "%(title)s" has been approved in workflow "%(workflow)s".'),
    gettext_noop(
        'The page "%(title)s" has been rejected during "%(task)s" in workflow "%(workflow)s" by %(rejector)s.'
    ),
    gettext_noop('The page "%(title)s" has been rejected during "%(task)s" in workflow "%(workflow)s".'),
    gettext_noop('The page "%(title)s" has been rejected during "%(task)s".'),
    gettext_noop('The page "%(title)s" has been rejected during "%(workflow)s".'),
    gettext_noop('The page "%(title)s" has been rejected in moderation stage "%(task)s".'),
    gettext_noop('The page "%(title)s" has been submitted for approval in moderation stage "%(task)s"'),
    gettext_noop('The page "%(title)s" has been submitted for approval in moderation stage "%(task)s".'),
    gettext_noop('The page "%(title)s" has been submitted for approval to moderation stage "%(task)s".'),
    gettext_noop(
        'The page "%(title)s" has been submitted for moderation to workflow "%(workflow)s" by %(requester)s.'
    ),
    gettext_noop('The page "%(title)s" has been submitted for moderation to workflow "%(workflow)s".'),
    gettext_noop('The page "%(title)s" has been submitted to workflow "%(workflow)s"'),
    gettext_noop("There are no results."),
    gettext_noop("Title: (A -> Z)"),
    gettext_noop("Title: (Z -> A)"),
    gettext_noop("Toggle breadcrumbs"),
    gettext_noop("Toggle checks"),
    gettext_noop("Toggle comments"),
    gettext_noop("Toggle preview"),
    gettext_noop("Toggle section"),
    gettext_noop("Toggle side panel"),
    gettext_noop("Toggle sidebar"),
    gettext_noop("Toggle status"),
    gettext_noop("Unpublish selected pages"),
    gettext_noop("Usage count: (high to low)"),
    gettext_noop("Usage count: (low to high)"),
    gettext_noop("Visible to all. Visit the live page"),
    gettext_noop("Visit the live page"),
    gettext_noop("Workflow tasks"),
    gettext_noop("Workflows"),
    gettext_noop("You can edit the %(model_name)s here:"),
    gettext_noop("You can preview the %(model_name)s here:"),
    gettext_noop("You have <span>unsaved edits</span>"),
    gettext_noop("You haven't uploaded any images in this collection."),
    gettext_noop(
        'You haven\'t uploaded any images. Why not <a href="%(wagtailimages_add_image_url)s">upload one now</a>?'
    ),
)

WAGTAIL_PLURALS = (
    ngettext_lazy("1 page", "%(counter)s pages", 1),
    # Usage counts (Wagtail's own "Digunakan %(usage_count)skali" lacks its space).
    ngettext_lazy("Used %(usage_count)s time", "Used %(usage_count)s times", 1),
    ngettext_lazy(
        "This %(model_name)s is referenced %(usage_count)s time.",
        "This %(model_name)s is referenced %(usage_count)s times.",
        1,
    ),
    # The admin home's site summary, as a regency office's staff see it (their section).
    ngettext_lazy(
        '%(total)s Page <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Pages <span class="w-sr-only">created in %(site_name)s</span>',
        1,
    ),
    ngettext_lazy(
        '%(total)s Image <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Images <span class="w-sr-only">created in %(site_name)s</span>',
        1,
    ),
    ngettext_lazy(
        '%(total)s Document <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Documents <span class="w-sr-only">created in %(site_name)s</span>',
        1,
    ),
    ngettext_lazy("1 snippet type", "%(counter)s snippet types", 1),
    ngettext_lazy("Add tags to 1 document", "Add tags to %(counter)s documents", 1),
    ngettext_lazy("Add tags to 1 image", "Add tags to %(counter)s images", 1),
    ngettext_lazy("Assign role to 1 user", "Assign role to %(counter)s users", 1),
    ngettext_lazy("Delete 1 document", "Delete %(counter)s documents", 1),
    ngettext_lazy("Delete 1 image", "Delete %(counter)s images", 1),
    ngettext_lazy("Delete 1 page", "Delete %(counter)s pages", 1),
    ngettext_lazy("Delete 1 user", "Delete %(counter)s users", 1),
    ngettext_lazy("Move 1 page", "Move %(counter)s pages", 1),
    ngettext_lazy("Publish 1 page", "Publish %(counter)s pages", 1),
    ngettext_lazy("There is %(counter)s match", "There are %(counter)s matches", 1),
    ngettext_lazy("Unpublish 1 page", "Unpublish %(counter)s pages", 1),
)
