# -*- coding: utf-8 -*-
"""Runs postmulti for the modules of postmulti.postfix and reads what it prints.

Every failure of the tool becomes one line, the tool's own fatal line, in
PostmultiError; callers hand it to fail_json.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import shlex


class PostmultiError(Exception):
    """The tool refused or failed; str() is its one-line message."""

    def __init__(self, message, command=None, rc=None, stderr=''):
        super(PostmultiError, self).__init__(message)
        self.command = command
        self.rc = rc
        self.stderr = stderr


def fatal_line(stderr, rc):
    """The line an admin needs from the tool's stderr: its last fatal line, else its last line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    fatal = [line for line in lines if ': fatal: ' in line]
    if fatal:
        return fatal[-1]
    if lines:
        return lines[-1]
    return 'postmulti exited with status %d and printed no message' % rc


class Postmulti(object):
    """One postmulti command (possibly several words, e.g. an interpreter and a script) and a primary."""

    SBIN = ['/usr/sbin', '/sbin', '/usr/local/sbin']

    def __init__(self, module, command, primary=None):
        self.module = module
        words = shlex.split(command)
        if not words:
            raise PostmultiError('the postmulti option is empty')
        if '/' not in words[0]:
            found = module.get_bin_path(words[0], opt_dirs=self.SBIN)
            if found is None:
                raise PostmultiError('cannot find %s on PATH or in %s' % (words[0], ', '.join(self.SBIN)))
            words[0] = found
        self.words = words + (['-c', primary] if primary else [])
        self.status_supported = True

    def run(self, *args):
        """Runs the tool with args; its stdout, or PostmultiError with its fatal line."""
        command = self.words + list(args)
        rc, out, err = self.module.run_command(command, check_rc=False, environ_update={'LC_ALL': 'C'})
        if rc != 0:
            raise PostmultiError(fatal_line(err, rc), command, rc, err)
        return out

    def dry_run(self, action, *args):
        """postmulti -n -e ACTION ARGS: the unified diff it prints ('' when nothing would change)."""
        return self.run('-n', '-e', action, *args)

    def edit(self, action, *args):
        return self.run('-e', action, *args)

    def instance(self, name, with_status=False):
        """The instance called exactly NAME as -l -j shows it (a dict), or None.

        -i also matches a name without 'postfix-' or a config directory; only an exact
        name counts, so 'out' is never taken for postfix-out.
        """
        for entry in self.list('-i', name, with_status=with_status):
            if entry.get('name') == name:
                return entry
        return None

    def list(self, *selection, **kwargs):
        if kwargs.get('with_status') and self.status_supported:
            try:
                return parse_json_lines(self.run('-l', '-j', '--status', *selection))
            except PostmultiError as refused:
                if 'invalid option' not in refused.stderr and 'Usage' not in refused.stderr:
                    raise
                self.status_supported = False  # a tool without --status: the plain list
        return parse_json_lines(self.run('-l', '-j', *selection))

    def running(self, name):
        """Whether the instance's master runs: --status's view when the tool has it, else 'postfix status'."""
        entry = self.instance(name, with_status=True)
        if entry is not None and entry.get('running') is not None:  # null: the tool could not tell
            return bool(entry['running'])
        try:
            self.run('-i', name, '-p', 'status')
            return True
        except PostmultiError:
            return False


def parse_json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def postconf_binary(module):
    found = module.get_bin_path('postconf', opt_dirs=Postmulti.SBIN)
    if found is None:
        raise PostmultiError('cannot find postconf on PATH or in %s' % ', '.join(Postmulti.SBIN))
    return found
