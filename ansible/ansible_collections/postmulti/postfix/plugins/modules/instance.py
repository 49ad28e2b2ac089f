#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: instance
short_description: Converge one Postfix instance of a multi-instance host with postmulti
version_added: "0.1.0"
description:
  - Makes one secondary Postfix instance (see MULTI_INSTANCE_README) look as described -
    registered or not, in a group or none, enabled or disabled, with the given main.cf settings.
  - All work is done by C(postmulti) (the C program's interface, as reimplemented by postmulti.java),
    so its checks, locking and all-or-nothing actions apply. Settings are written with
    C(postmulti -i NAME -x postconf -e).
  - Runs C(postmulti -e init) first when the primary instance is not yet set up for multiple
    instances (C(multi_instance_enable) and C(multi_instance_wrapper) not set).
  - Does not start, stop or reload instances, except that I(state=absent) stops a running instance
    before it removes it. Use C(postmulti -p start) or the service manager for that.
  - With C(--check), nothing is written and C(changed) says whether a run would change something.
    With C(--diff), the result holds the unified diff of every file that is (or would be) changed,
    C(postmulti -n)'s own dry-run diff for init, create, assign, enable, disable and destroy, and the
    diff postconf would make for I(settings).
author:
  - postmulti.java contributors
requirements:
  - postmulti (Postfix's, or postmulti.java) and postconf on the managed host
options:
  name:
    description:
      - The instance name, C(postfix-) followed by letters, digits and C(!@%-_=+:.)
        (the tool refuses anything else, with its own message).
      - Only an instance of exactly this name is managed; a name without C(postfix-) is never
        taken for one with it.
      - C(-) is the primary instance. It cannot be created, removed, grouped or disabled; only
        I(settings) apply (for example the null client of a border MTA).
    type: str
    required: true
  state:
    description:
      - C(present) creates the instance when it is missing (C(postmulti -e create)) and converges it.
      - C(absent) stops the instance if it runs (C(postmulti -p stop)), disables it if it is enabled
        and destroys it (C(postmulti -e destroy)), in that order, as needed. Destroy removes only
        what Postfix made (empty queue directories, main.cf, master.cf, then empty directories) and
        warns about anything left; it never deletes recursively.
    type: str
    choices: [present, absent]
    default: present
  group:
    description:
      - The instance group (C(multi_instance_group)); C(-) for none.
      - When omitted, a new instance gets no group and an existing instance keeps its group.
    type: str
  enabled:
    description:
      - Whether C(postfix start) (through the multi-instance wrapper) starts the instance
        (C(multi_instance_enable)). C(postmulti -e create) makes instances disabled.
      - When omitted, a new instance stays disabled and an existing one keeps its setting.
    type: bool
  settings:
    description:
      - main.cf parameters of this instance, as name and value. Only values that differ from
        what main.cf sets explicitly (C(postconf -n), blanks squeezed) are written.
      - A boolean becomes C(yes)/C(no), a list is joined with C(, ), an empty string sets an
        empty value (an empty C(master_service_disable) turns the inet services on), and C(null) removes the parameter
        from main.cf (C(postconf -X)).
      - C(multi_instance_name), C(multi_instance_group), C(multi_instance_enable) and
        C(config_directory) are refused here; use I(name), I(group), I(enabled) and
        I(config_directory).
    type: dict
  config_directory:
    description:
      - The configuration directory of a new instance. Default, as C(postmulti -e create) derives it,
        the primary's with its last component replaced by I(name) (C(/etc/postfix-out)).
      - If it already holds main.cf and master.cf, create imports that instance as it is.
      - Used at creation only; an existing instance is not moved.
    type: path
  queue_directory:
    description:
      - The queue directory of a new instance (default derived from the primary's, as above).
        Used at creation only.
    type: path
  data_directory:
    description:
      - The data directory of a new instance (default derived from the primary's, as above).
        Used at creation only.
    type: path
  primary:
    description:
      - The primary instance's configuration directory, passed as C(postmulti -c). Default the
        tool's (C(/etc/postfix)).
    type: path
  postmulti:
    description:
      - The postmulti command. Several words are split as a shell would split them (no other
        shell processing), so an interpreter and a script work, for example
        C(/opt/postmulti/jbang /opt/postmulti/postmulti.java).
      - A bare command name is looked up on PATH and in C(/usr/sbin), C(/sbin), C(/usr/local/sbin).
    type: str
    default: postmulti
notes:
  - Check mode on a host whose primary is not yet initialised shows the C(-e init) diff and reports
    that the instance would be created, but cannot show create's diff (the tool refuses to plan a
    create before init).
  - Check mode of I(state=absent) for an enabled instance shows the disable diff; destroy's dry run
    needs a disabled instance, so its diff appears in a real run.
  - Errors of the tool are reported as the module's message, the tool's own C(fatal:) line.
seealso:
  - name: MULTI_INSTANCE_README
    description: Postfix's guide to multiple instances.
    link: https://www.postfix.org/MULTI_INSTANCE_README.html
  - name: postmulti(1)
    description: The command this module drives.
    link: https://www.postfix.org/postmulti.1.html
'''

EXAMPLES = r'''
- name: The output instance of a border MTA, with its settings
  postmulti.postfix.instance:
    name: postfix-out
    group: mta
    enabled: true
    settings:
      master_service_disable: ""
      authorized_submit_users: root
      inet_interfaces: 127.0.0.1
      smtp_bind_address: 192.0.2.25

- name: Remove an instance (stopped, disabled, destroyed as needed)
  postmulti.postfix.instance:
    name: postfix-test
    state: absent

- name: An instance of another primary tree, with postmulti.java run through JBang
  postmulti.postfix.instance:
    name: postfix-in
    primary: /srv/mail/etc/postfix
    postmulti: /opt/postmulti/jbang /opt/postmulti/postmulti.java
    queue_directory: /srv/mail/spool/postfix-in
'''

RETURN = r'''
instance:
  description:
    - The instance as C(postmulti -l -j -i NAME) shows it, with the changes of this run (in check
      mode, the changes a run would make).
    - C(null) when the instance does not exist (I(state=absent)).
  returned: always
  type: dict
  sample:
    name: postfix-out
    group: mta
    enabled: "y"
    config_directory: /etc/postfix-out
actions:
  description: The steps taken (or, in check mode, that would be taken), in order.
  returned: always
  type: list
  elements: str
  sample: [init, create, settings, enable]
diff:
  description:
    - In diff mode, one entry per changed file set, its text under C(prepared) (unified diffs,
      and C(# mkdir)/C(# rmdir) lines for directories, as C(postmulti -n) prints them).
  returned: when diff mode is on and something changes
  type: list
  elements: dict
  sample:
    - prepared: |
        --- a/etc/postfix-out/main.cf
        +++ b/etc/postfix-out/main.cf
        @@ -696,3 +696,4 @@
         multi_instance_name = postfix-out
        +multi_instance_enable = yes
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.postmulti.postfix.plugins.module_utils.maincf_settings import (
    Settings, created_file, created_files, unified_diff, wanted_values)
from ansible_collections.postmulti.postfix.plugins.module_utils.postmulti_tool import (
    Postmulti, PostmultiError, postconf_binary)

ARGUMENT_SPEC = dict(
    name=dict(type='str', required=True),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
    group=dict(type='str'),
    enabled=dict(type='bool'),
    settings=dict(type='dict'),
    config_directory=dict(type='path'),
    queue_directory=dict(type='path'),
    data_directory=dict(type='path'),
    primary=dict(type='path'),
    postmulti=dict(type='str', default='postmulti'),
)


class Convergence(object):
    """One run of the module: the steps it takes, in order, and what they change.

    In check mode nothing is written, so the tool cannot plan a step on top of an earlier one;
    from the first change to the instance's main.cf on, its next versions are worked out by
    postconf on a private copy (self.simulated).
    """

    def __init__(self, module, tool):
        self.module = module
        self.tool = tool
        self.params = module.params
        self.name = module.params['name']
        self.check = module.check_mode
        self.actions = []
        self.diffs = []
        self.simulated = None
        self.postconf = None

    def step(self, action, diff_text, perform):
        """Records a change (with its diff) and, unless in check mode, makes it."""
        self.actions.append(action)
        if self.module._diff and diff_text:
            self.diffs.append(dict(prepared=diff_text))
        if not self.check:
            perform()

    def dry_run_if_shown(self, action, *args):
        return self.tool.dry_run(action, *args) if self.module._diff else ''

    def settings_tool(self):
        if self.postconf is None:
            self.postconf = Settings(self.module, postconf_binary(self.module))
        return self.postconf

    # ---- state: present ------------------------------------------------------

    def present(self):
        wanted = wanted_values(self.params['settings'] or {})
        initialised = self.init()
        if self.name == PRIMARY:
            instance = self.tool.instance(PRIMARY)
            self.settings(instance, wanted)
            return instance
        instance = self.tool.instance(self.name)
        if instance is None:
            instance = self.create(initialised)
            if instance is None:
                return self.planned_before_init()
        self.assign(instance)
        self.settings(instance, wanted)
        self.enable(instance)
        return instance

    def init(self):
        """Runs -e init when the tool's dry run says it would change something; False while still needed."""
        planned = self.tool.dry_run('init')
        if not planned.strip():
            return True
        self.step('init', planned, lambda: self.tool.edit('init'))
        return not self.check

    def create(self, initialised):
        """The new instance; in check mode as the dry run says it would be (None before init)."""
        args = ['-I', self.name]
        if self.params['group'] not in (None, '-'):
            args += ['-G', self.params['group']]
        for directory in ('config_directory', 'queue_directory', 'data_directory'):
            if self.params[directory]:
                args.append('%s=%s' % (directory, self.params[directory]))
        if not initialised:
            self.actions.append('create')  # the tool cannot plan a create before init (check mode)
            return None
        planned = self.tool.dry_run('create', *args) if self.check or self.module._diff else ''
        self.step('create', planned, lambda: self.tool.edit('create', *args))
        if self.check:
            return self.predicted(planned)
        return self.tool.instance(self.name)

    def predicted(self, planned):
        """The new instance as a dry run of create describes it (an import keeps its main.cf)."""
        group = self.params['group'] if self.params['group'] not in (None, '-') else '-'
        main_cfs = [path for path in created_files(planned) if path.endswith('/main.cf')]
        if main_cfs:
            directory = main_cfs[0][:-len('/main.cf')]
            self.simulated = created_file(planned, main_cfs[0])
        else:
            directory = self.params['config_directory']
        return dict(name=self.name, group=group, enabled='n', config_directory=directory)

    def planned_before_init(self):
        """Check mode before init: what is known of the instance without the tool's plan."""
        return dict(name=self.name, group=self.params['group'] or '-',
                    enabled='y' if self.params['enabled'] else 'n', config_directory=self.params['config_directory'])

    def assign(self, instance):
        group = self.params['group']
        if group is None or instance.get('group', '-') == group:
            return
        self.tool_step(instance, 'assign', ['-i', self.name, '-G', group],
                       {'multi_instance_group': None if group == '-' else group})
        instance['group'] = group

    def enable(self, instance):
        enabled = self.params['enabled']
        if enabled is None or (instance.get('enabled') == 'y') == enabled:
            return
        action = 'enable' if enabled else 'disable'
        self.tool_step(instance, action, ['-i', self.name], {'multi_instance_enable': 'yes' if enabled else 'no'})
        instance['enabled'] = 'y' if enabled else 'n'

    def tool_step(self, instance, action, args, effect):
        """A tool action on the instance; its diff from the tool's dry run, or in check mode after an
        earlier change, from its EFFECT on main.cf simulated."""
        if self.check and self.simulated is not None:
            before = self.simulated
            self.simulated = self.settings_tool().plan(before, effect)[2]
            planned = unified_diff(self.main_cf_path(instance), before, self.simulated)
        else:
            planned = self.dry_run_if_shown(action, *args)
            if self.check:
                self.simulated = self.settings_tool().plan(self.read(instance), effect)[2]
        self.step(action, planned, lambda: self.tool.edit(action, *args))

    def settings(self, instance, wanted):
        if not wanted:
            return
        before = self.simulated if self.check and self.simulated is not None else self.read(instance)
        assignments, removals, after = self.settings_tool().plan(before, wanted)
        if not assignments and not removals:
            return

        def write():
            if assignments:
                self.tool.run('-i', self.name, '-x', 'postconf', '-e', *assignments)
            if removals:
                self.tool.run('-i', self.name, '-x', 'postconf', '-X', *removals)
        self.simulated = after if self.check else None
        self.step('settings', unified_diff(self.main_cf_path(instance), before, after), write)

    @staticmethod
    def main_cf_path(instance):
        return instance['config_directory'] + '/main.cf'

    def read(self, instance):
        with open(self.main_cf_path(instance), 'rb') as handle:
            return handle.read()

    # ---- state: absent -------------------------------------------------------

    def absent(self):
        instance = self.tool.instance(self.name)
        if instance is None:
            return None
        if self.tool.running(self.name):
            self.step('stop', '', lambda: self.tool.run('-i', self.name, '-p', 'stop'))
        enabled = instance.get('enabled') == 'y'
        if enabled:
            planned = self.dry_run_if_shown('disable', '-i', self.name)
            self.step('disable', planned, lambda: self.tool.edit('disable', '-i', self.name))
        if self.check and enabled:
            planned = ''  # destroy's dry run refuses an instance that is still enabled
        else:
            planned = self.dry_run_if_shown('destroy', '-i', self.name)
        self.step('destroy', planned, lambda: self.tool.edit('destroy', '-i', self.name))
        return None

    def run(self):
        instance = self.present() if self.params['state'] == 'present' else self.absent()
        result = dict(changed=bool(self.actions), actions=self.actions, instance=instance)
        if self.diffs:
            result['diff'] = self.diffs
        return result


PRIMARY = '-'
NOT_FOR_PRIMARY = ('group', 'enabled', 'config_directory', 'queue_directory', 'data_directory')


def check_primary_options(module):
    if module.params['name'] != PRIMARY:
        return
    given = [option for option in NOT_FOR_PRIMARY if module.params[option] is not None]
    if module.params['state'] == 'absent':
        given.insert(0, 'state=absent')
    if given:
        module.fail_json(msg='name=- is the primary instance: only settings apply, not %s' % ', '.join(given))


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    check_primary_options(module)
    try:
        tool = Postmulti(module, module.params['postmulti'], module.params['primary'])
        module.exit_json(**Convergence(module, tool).run())
    except PostmultiError as failure:
        extra = dict(rc=failure.rc, cmd=failure.command) if failure.command else {}
        module.fail_json(msg=str(failure), **extra)
    except (IOError, OSError) as failure:
        module.fail_json(msg='%s: %s' % (getattr(failure, 'filename', None) or 'postmulti', failure.strerror or failure))


if __name__ == '__main__':
    main()
