# -*- coding: utf-8 -*-
"""Settings of one main.cf: which of the wanted values differ, and the file postconf would make.

The file is never edited here. Its bytes are copied into a private temporary directory where
the installed postconf (-e, -X) edits the copy, so the preview has exactly the bytes the real
edit (postmulti -x postconf) will write.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import difflib
import os
import re
import shutil
import tempfile

from ansible.module_utils.six import string_types

from ansible_collections.postmulti.postfix.plugins.module_utils.postmulti_tool import PostmultiError

# Set through the module's own options (name, group, enabled), or fixed by where the file is.
RESERVED = ('multi_instance_name', 'multi_instance_group', 'multi_instance_enable', 'config_directory')


def as_value(name, value):
    """A YAML value as main.cf text: yes/no for booleans, ', '-joined lists, numbers as written."""
    if isinstance(value, bool):
        return 'yes' if value else 'no'
    if isinstance(value, (list, tuple)):
        return ', '.join(as_value(name, item) for item in value)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, string_types):
        if '\n' in value:
            raise PostmultiError("setting '%s': a main.cf value is one line" % name)
        return value
    raise PostmultiError("setting '%s': unsupported value type %s" % (name, type(value).__name__))


def check_names(settings):
    for name in settings:
        if name in RESERVED:
            raise PostmultiError("setting '%s' is not allowed in settings: use the module's name, group "
                                 "and enabled options (config_directory at creation)" % name)
        if not name or any(c.isspace() or c in '=#$' for c in name):
            raise PostmultiError("invalid main.cf parameter name: '%s'" % name)


# What Postfix takes for white space (ISSPACE, the C locale's isspace): never Python's Unicode set.
BLANKS = ' \t\n\v\f\r'


def squeezed(value):
    """A value with its runs of white space made one space and none at either end (continuation
    lines joined): two spellings Postfix reads alike compare equal."""
    return ' '.join(word for word in re.split('[%s]+' % BLANKS, value) if word)


def explicit_values(main_cf):
    """name: value (blanks squeezed) of every parameter main.cf's bytes set, the last definition winning.

    Read here rather than with postconf -n, which leaves out parameters it takes for unused
    (a user-defined name, a per-transport one whose service it does not see).
    """
    values = {}
    name = None
    for line in main_cf.decode('utf-8', 'surrogateescape').split('\n'):
        content = line.strip(BLANKS)
        if not content or content.startswith('#'):
            continue  # comments and blank lines, even between continuation lines
        if line[0] in BLANKS:
            if name is not None:
                values[name] += ' ' + content
            continue
        name, equals, value = line.partition('=')
        name = name.strip(BLANKS) if equals else None
        if name is not None:
            values[name] = value
    return dict((name, squeezed(value)) for name, value in values.items())


def wanted_values(settings):
    """The module's settings option as main.cf text (None: remove), refusing reserved or malformed names."""
    check_names(settings)
    return dict((name, None if value is None else as_value(name, value)) for name, value in settings.items())


class Settings(object):
    """main.cf settings applied by the installed postconf to a private copy of the file."""

    def __init__(self, module, postconf):
        self.module = module
        self.postconf = postconf

    def plan(self, before, wanted):
        """(assignments, removals, after): the edits that bring main.cf's bytes BEFORE to WANTED
        (name: value, None for none), and the bytes postconf makes of them."""
        scratch = tempfile.mkdtemp(prefix='postmulti-settings-')
        try:
            path = os.path.join(scratch, 'main.cf')
            with open(path, 'wb') as handle:
                handle.write(before)
            current = explicit_values(before)
            assignments = ['%s=%s' % (name, value) for name, value in sorted(wanted.items())
                           if value is not None and current.get(name) != squeezed(value)]
            removals = [name for name, value in sorted(wanted.items()) if value is None and name in current]
            if assignments:
                self.postconf_run(scratch, '-e', *assignments)
            if removals:
                self.postconf_run(scratch, '-X', *removals)
            with open(path, 'rb') as handle:
                return assignments, removals, handle.read()
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def postconf_run(self, directory, *args):
        command = [self.postconf, '-c', directory] + list(args)
        rc, out, err = self.module.run_command(command, check_rc=False, environ_update={'LC_ALL': 'C'})
        if rc != 0:
            lines = [line for line in err.splitlines() if 'fatal:' in line] or err.splitlines() or ['status %d' % rc]
            raise PostmultiError(lines[-1].strip())
        return out


def unified_diff(path, before, after):
    """The diff of two versions (bytes) of a file as postmulti -n prints it: a/ and b/ before the absolute path."""
    if before == after:
        return ''
    before, after = (text.decode('utf-8', 'replace') for text in (before, after))
    lines = difflib.unified_diff(before.splitlines(True), after.splitlines(True),
                                 'a' + path, 'b' + path, n=3)
    return ''.join(line if line.endswith('\n') else line + '\n\\ No newline at end of file\n' for line in lines)


def created_file(dry_run_diff, path):
    """The bytes a file gets from a creation, read off a dry run's diff (--- /dev/null, +++ bPATH, one hunk)."""
    lines = dry_run_diff.splitlines(True)
    for index in range(1, len(lines) - 1):
        if lines[index - 1].startswith('--- /dev/null') and lines[index].rstrip('\n') == '+++ b' + path:
            hunk = re.match(r'@@ -0,0 \+1(?:,(\d+))? @@', lines[index + 1])
            if hunk is None:
                return b''
            count = int(hunk.group(1) or 1)
            body = [line[1:] for line in lines[index + 2:index + 2 + count]]
            if index + 2 + count < len(lines) and lines[index + 2 + count].startswith('\\'):
                body[-1] = body[-1].rstrip('\n')
            return ''.join(body).encode('utf-8')
    return None


def created_files(dry_run_diff):
    """Paths of the files a dry run's diff creates."""
    lines = dry_run_diff.splitlines()
    return [lines[i + 1][len('+++ b'):] for i in range(len(lines) - 1)
            if lines[i].startswith('--- /dev/null') and lines[i + 1].startswith('+++ b')]
