"""The finding types the emulator samples, with each type's default severity and title.

Data only, from the GuardDuty user guide: the Runtime Monitoring types and the attack sequence
types, each with the default severity and the one-line description the guide gives it. The
emulator samples these (``findings``); the tests and the benchmark put findings of these types.
The product's alert rules match runtime findings by their shape (``<Purpose>:Runtime/<Name>``),
so types added later match too.
"""

from __future__ import annotations

# The emulator's numbers for GuardDuty's severity levels (Low 1-3.9, Medium 4-6.9, High 7-8.9,
# Critical 9-10).
CRITICAL, HIGH, MEDIUM, LOW = 9.0, 8.0, 5.0, 2.0

# Default severity and one-line description of each Runtime Monitoring type, from the GuardDuty
# user guide (https://docs.aws.amazon.com/guardduty/latest/ug/findings-runtime-monitoring.html).
# "Variable" severities are MEDIUM here.
RUNTIME_FINDING_DEFAULTS: dict[str, tuple[float, str]] = {
    "CryptoCurrency:Runtime/BitcoinTool.B": (
        HIGH,
        "An Amazon EC2 instance or a container is querying an IP address that is associated "
        "with a cryptocurrency-related activity.",
    ),
    "Backdoor:Runtime/C&CActivity.B": (
        HIGH,
        "An Amazon EC2 instance or a container is querying an IP that is associated with a "
        "known command and control server.",
    ),
    "UnauthorizedAccess:Runtime/TorRelay": (
        HIGH,
        "Your Amazon EC2 instance or a container is making connections to a Tor network as a "
        "Tor relay.",
    ),
    "UnauthorizedAccess:Runtime/TorClient": (
        HIGH,
        "Your Amazon EC2 instance or a container is making connections to a Tor Guard or an "
        "Authority node.",
    ),
    "Trojan:Runtime/BlackholeTraffic": (
        MEDIUM,
        "An Amazon EC2 instance or a container is attempting to communicate with an IP address "
        "of a remote host that is a known black hole.",
    ),
    "Trojan:Runtime/DropPoint": (
        MEDIUM,
        "An Amazon EC2 instance or a container is attempting to communicate with an IP address "
        "of a remote host that is known to hold credentials and other stolen data captured by "
        "malware.",
    ),
    "CryptoCurrency:Runtime/BitcoinTool.B!DNS": (
        HIGH,
        "An Amazon EC2 instance or a container is querying a domain name that is associated "
        "with a cryptocurrency activity.",
    ),
    "Backdoor:Runtime/C&CActivity.B!DNS": (
        HIGH,
        "An Amazon EC2 instance or a container is querying a domain name that is associated "
        "with a known command and control server.",
    ),
    "Trojan:Runtime/BlackholeTraffic!DNS": (
        MEDIUM,
        "An Amazon EC2 instance or a container is querying a domain name that is being "
        "redirected to a black hole IP address.",
    ),
    "Trojan:Runtime/DropPoint!DNS": (
        MEDIUM,
        "An Amazon EC2 instance or a container is querying a domain name of a remote host that "
        "is known to hold credentials and other stolen data captured by malware.",
    ),
    "Trojan:Runtime/DGADomainRequest.C!DNS": (
        HIGH,
        "An Amazon EC2 instance or a container is querying algorithmically generated domains.",
    ),
    "Trojan:Runtime/DriveBySourceTraffic!DNS": (
        HIGH,
        "An Amazon EC2 instance or a container is querying a domain name of a remote host that "
        "is a known source of Drive-By download attacks.",
    ),
    "Trojan:Runtime/PhishingDomainRequest!DNS": (
        HIGH,
        "An Amazon EC2 instance or a container is querying domains involved in phishing attacks.",
    ),
    "Impact:Runtime/AbusedDomainRequest.Reputation": (
        MEDIUM,
        "An Amazon EC2 instance or a container is querying a low reputation domain name that "
        "is associated with known abused domains.",
    ),
    "Impact:Runtime/BitcoinDomainRequest.Reputation": (
        HIGH,
        "An Amazon EC2 instance or a container is querying a low reputation domain name that "
        "is associated with cryptocurrency-related activity.",
    ),
    "Impact:Runtime/MaliciousDomainRequest.Reputation": (
        HIGH,
        "An Amazon EC2 instance or a container is querying a low reputation domain that is "
        "associated with known malicious domains.",
    ),
    "Impact:Runtime/SuspiciousDomainRequest.Reputation": (
        LOW,
        "An Amazon EC2 instance or a container is querying a low reputation domain name that "
        "is suspicious in nature due to its age, or low popularity.",
    ),
    "UnauthorizedAccess:Runtime/MetadataDNSRebind": (
        HIGH,
        "An Amazon EC2 instance or a container is performing DNS lookups that resolve to the "
        "instance metadata service.",
    ),
    "Execution:Runtime/NewBinaryExecuted": (
        MEDIUM,
        "A newly created or recently modified binary file in a container has been executed.",
    ),
    "PrivilegeEscalation:Runtime/DockerSocketAccessed": (
        MEDIUM,
        "A process inside a container is communicating with Docker daemon using Docker socket.",
    ),
    "PrivilegeEscalation:Runtime/RuncContainerEscape": (
        HIGH,
        "A container escape attempt through runC was detected.",
    ),
    "PrivilegeEscalation:Runtime/CGroupsReleaseAgentModified": (
        HIGH,
        "An attempt to modify a control group (cgroup) release agent file has been detected.",
    ),
    "DefenseEvasion:Runtime/ProcessInjection.Proc": (
        HIGH,
        "A process injection using proc filesystem was detected in a container or an Amazon "
        "EC2 instance.",
    ),
    "DefenseEvasion:Runtime/ProcessInjection.Ptrace": (
        MEDIUM,
        "A process injection using ptrace system call was detected in a container or an Amazon "
        "EC2 instance.",
    ),
    "DefenseEvasion:Runtime/ProcessInjection.VirtualMemoryWrite": (
        HIGH,
        "A process injection through a direct write to virtual memory was detected in a "
        "container or an Amazon EC2 instance.",
    ),
    "Execution:Runtime/ReverseShell": (
        HIGH,
        "A process in a container or an Amazon EC2 instance has created a reverse shell.",
    ),
    "DefenseEvasion:Runtime/FilelessExecution": (
        MEDIUM,
        "A process in a container or an Amazon EC2 instance is executing code from memory.",
    ),
    "Impact:Runtime/CryptoMinerExecuted": (
        HIGH,
        "A container or an Amazon EC2 instance is executing a binary file that is associated "
        "with a cryptocurrency mining activity.",
    ),
    "Execution:Runtime/NewLibraryLoaded": (
        MEDIUM,
        "A newly created or recently modified library was loaded by a process inside a container.",
    ),
    "PrivilegeEscalation:Runtime/ContainerMountsHostDirectory": (
        MEDIUM,
        "A process inside a container mounted a host filesystem at runtime.",
    ),
    "PrivilegeEscalation:Runtime/UserfaultfdUsage": (
        MEDIUM,
        "A process used userfaultfd system calls to handle page faults in user space.",
    ),
    "Execution:Runtime/SuspiciousTool": (
        MEDIUM,
        "A container or an Amazon EC2 instance is running a binary file or script that is "
        "frequently used in offensive security scenarios such as pentesting engagement.",
    ),
    "Execution:Runtime/SuspiciousCommand": (
        MEDIUM,
        "A suspicious command has been executed on an Amazon EC2 instance or a container that "
        "is indicative of a compromise.",
    ),
    "DefenseEvasion:Runtime/SuspiciousCommand": (
        MEDIUM,
        "A command has been executed on the listed Amazon EC2 instance or a container, it "
        "attempts to modify or disable a Linux defense mechanism, such as firewall or "
        "essential system services.",
    ),
    "DefenseEvasion:Runtime/PtraceAntiDebugging": (
        LOW,
        "A process in a container or an Amazon EC2 instance has executed an anti-debugging "
        "measure using the ptrace system call.",
    ),
    "Execution:Runtime/MaliciousFileExecuted": (
        HIGH,
        "A known malicious executable file has been executed on an Amazon EC2 instance or a "
        "container.",
    ),
}
# Default severity and description of each attack sequence type, from the GuardDuty user guide
# ("GuardDuty attack sequence finding types"). The ECS text is the guide's; the others follow its
# wording for their resource (chosen).
ATTACK_SEQUENCE_DEFAULTS: dict[str, tuple[float, str]] = {
    "AttackSequence:ECS/CompromisedCluster": (
        CRITICAL,
        "A sequence of suspicious actions performed by potentially compromised Amazon ECS cluster.",
    ),
    "AttackSequence:EC2/CompromisedInstanceGroup": (
        CRITICAL,
        "A sequence of suspicious actions indicates a potentially compromised group of Amazon "
        "EC2 instances.",
    ),
    "AttackSequence:EKS/CompromisedCluster": (
        CRITICAL,
        "A sequence of suspicious actions performed by potentially compromised Amazon EKS cluster.",
    ),
    "AttackSequence:IAM/CompromisedCredentials": (
        CRITICAL,
        "A sequence of API requests invoked by using potentially compromised AWS credentials.",
    ),
    "AttackSequence:S3/CompromisedData": (
        CRITICAL,
        "A sequence of suspicious actions indicates a potential data compromise in Amazon S3.",
    ),
}

# The types, in the guide's order: the tables above are the one place that lists them.
RUNTIME_FINDING_TYPES: tuple[str, ...] = tuple(RUNTIME_FINDING_DEFAULTS)
ATTACK_SEQUENCE_FINDING_TYPES: tuple[str, ...] = tuple(ATTACK_SEQUENCE_DEFAULTS)
