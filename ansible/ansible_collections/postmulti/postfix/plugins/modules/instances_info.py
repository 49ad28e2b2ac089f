#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: instances_info
short_description: List the Postfix instances of a host, for monitoring plays
version_added: "0.1.0"
description:
  - Returns the instances as C(postmulti -l -j) lists them (name, group, enabled, config directory),
    in the tool's order, with the members of C(postmulti -l -j --status) (such as whether each
    instance runs) when the tool has that option and I(status) is true.
  - Changes nothing.
author:
  - postmulti.java contributors
requirements:
  - postmulti (Postfix 3.11's, or postmulti.java) on the managed host
options:
  name:
    description: Only this instance (C(postmulti -i); C(-) is the primary).
    type: str
  group:
    description: Only the members of this group (C(postmulti -g)).
    type: str
  status:
    description:
      - Ask for C(--status)'s members. A tool without that option is asked for the plain list,
        and C(status_available) is false.
    type: bool
    default: true
  primary:
    description: The primary instance's configuration directory, passed as C(postmulti -c).
    type: path
  postmulti:
    description:
      - The postmulti command; several words are split as a shell would split them
        (for example C(/opt/postmulti/jbang /opt/postmulti/postmulti.java)).
    type: str
    default: postmulti
seealso:
  - module: postmulti.postfix.instance
'''

EXAMPLES = r'''
- name: The instances of group mta
  postmulti.postfix.instances_info:
    group: mta
  register: mta

- name: Every member of mta is enabled
  ansible.builtin.assert:
    that: mta.instances | rejectattr('enabled', 'equalto', 'y') | list | length == 0
'''

RETURN = r'''
instances:
  description: One entry per instance, as C(postmulti -l -j) prints it.
  returned: always
  type: list
  elements: dict
  sample:
    - name: "-"
      group: "-"
      enabled: "y"
      config_directory: /etc/postfix
    - name: postfix-out
      group: mta
      enabled: "y"
      config_directory: /etc/postfix-out
status_available:
  description: Whether the entries hold C(--status)'s members.
  returned: always
  type: bool
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.postmulti.postfix.plugins.module_utils.postmulti_tool import Postmulti, PostmultiError


def main():
    module = AnsibleModule(argument_spec=dict(
        name=dict(type='str'),
        group=dict(type='str'),
        status=dict(type='bool', default=True),
        primary=dict(type='path'),
        postmulti=dict(type='str', default='postmulti'),
    ), supports_check_mode=True)
    selection = []
    if module.params['name'] is not None:
        selection += ['-i', module.params['name']]
    if module.params['group'] is not None:
        selection += ['-g', module.params['group']]
    try:
        tool = Postmulti(module, module.params['postmulti'], module.params['primary'])
        instances = tool.list(*selection, with_status=module.params['status'])
    except PostmultiError as failure:
        extra = dict(rc=failure.rc, cmd=failure.command) if failure.command else {}
        module.fail_json(msg=str(failure), **extra)
    module.exit_json(changed=False, instances=instances,
                     status_available=module.params['status'] and tool.status_supported)


if __name__ == '__main__':
    main()
