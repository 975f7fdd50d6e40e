"""Runtime Monitoring coverage of ECS (Fargate) clusters, for the emulator (a test backend).

moto 5.2.5 has neither ListCoverage nor GetCoverageStatistics and never emits GuardDuty events.
This extension derives the coverage of each ECS cluster from moto's ECS state and the detector's
features, serves ``ListCoverage`` (``POST /detector/{detectorId}/coverage``) and
``GetCoverageStatistics`` (``POST /detector/{detectorId}/coverage/statistics``) with the shapes
of botocore's GuardDuty model (``updatedAt`` as epoch seconds, as the model's timestamps are),
and puts a ``GuardDuty Runtime Protection Unhealthy``/``Healthy`` event on the default bus when
the status of a cluster changes.

What the emulator decides, following "Runtime coverage and troubleshooting for Amazon ECS
clusters" (https://docs.aws.amazon.com/guardduty/latest/ug/gdu-assess-coverage-ecs.html):

- Runtime Monitoring on: the detector's ``RUNTIME_MONITORING`` feature is ``ENABLED``, from the
  moment an UpdateDetector (or CreateDetector) turned it on; automated agent configuration:
  its ``ECS_FARGATE_AGENT_MANAGEMENT`` additional configuration is ``ENABLED`` as well. The
  emulator records when each was turned on; turning one off forgets the time. Without Runtime
  Monitoring the detector has no coverage (ListCoverage is empty; no events).
- A cluster is managed with agent management on, unless tagged ``GuardDutyManaged = false``
  (excluded), and with the tag ``GuardDutyManaged = true`` (the inclusion tag) even without
  agent management. It is monitored since the latest of: Runtime Monitoring on, agent management
  on (or the inclusion tag set), the exclusion tag removed.
- Workloads of a cluster: its running Fargate tasks (launch type or capacity provider FARGATE,
  ``desiredStatus`` RUNNING, i.e. until StopTask; started when RunTask returned), and its ACTIVE
  Fargate services with ``desiredCount`` > 0. moto starts no tasks for services, so a service
  stands for its tasks, deployed when CreateService returned or when UpdateService made a new
  deployment (``forceNewDeployment`` or another task definition); scaling a service does not
  redeploy it, as on AWS, where GuardDuty adds its sidecar to new service deployments. A
  workload is covered when it started after the cluster became monitored.
- A cluster is listed once it has workloads while managed or excluded, and stays listed until
  the cluster is deleted or Runtime Monitoring is turned off (the guide counts tasks that "have
  recently finished running"). ``resourceId`` is the cluster name; EC2 container instances are
  not emulated (``containerInstanceDetails`` counts are 0).
- Status and issue (``issue`` is the guide's issue type, ``fargateDetails.issues`` its "extra
  information" texts): no workloads -> UNHEALTHY ``Agent not reporting`` ("Agent not reporting
  for tasks in TaskDefinition - 'family:revision'", for the task definitions it last ran); an
  uncovered workload -> UNHEALTHY ``Agent not provisioned`` with the guide's text for tasks or
  services started while the cluster had the exclusion tag, before Runtime Monitoring, or before
  automated agent configuration; otherwise HEALTHY. ``managementType`` is AUTO_MANAGED for a
  managed cluster, DISABLED otherwise.
- ``updatedAt`` changes when the status, the issues or the management type change, or when a
  workload starts (the guide: "when either a new task gets created ... or there is change in
  the corresponding coverage status").
- Events: one per status change of a listed cluster (HEALTHY <-> UNHEALTHY), with
  ``previousStatus``; a cluster's first listing and its removal send none. The ``detail`` is
  shaped like ``guardduty_ecs.events.ecs_coverage_change`` with ``resourceDetails`` as
  ListCoverage returns them.
- Coverage is recomputed after every ECS call that changes clusters, tags, tasks or services:
  only for the cluster the call named (a change costs the same however many clusters exist);
  a GuardDuty feature update (or CreateDetector) recomputes all of that detector's clusters.
  Each detector keeps its clusters' coverage, and sorted keys of it for each order asked for,
  updated with each change, so ListCoverage serves a page by bisection, not by sorting all.
- ListCoverage: ``filterCriteria`` (every ``criterionKey`` of the model, ANDed; ``equals`` and
  ``notEquals``; keys about EKS, EC2 or agent versions have no value for an ECS cluster, so
  ``equals`` never and ``notEquals`` always matches them; ``CLUSTER_NAME`` is the EKS cluster
  name, ``CLUSTER_ARN`` the ECS cluster ARN), ``sortCriteria`` (every ``attributeName`` of the
  model, ASC by default, missing values last, equal values by cluster name; without it, by
  cluster name; then by account), ``maxResults`` 1-50 (50 by default; more is a
  ``BadRequestException``) and ``nextToken``. The token (opaque on AWS; **chosen** here) holds
  the sort key of the page's last resource: the next page starts after it, so clusters added or
  removed between pages shift nothing.
- Administrator view: "Lists coverage details for your GuardDuty account. If you're a GuardDuty
  administrator, you can retrieve all resources associated with the active member accounts in
  your organization." (API reference, ListCoverage; GetCoverageStatistics says the same of the
  statistics), and the user guide, "Runtime coverage and troubleshooting for Amazon ECS
  clusters": "The coverage statistics for the Amazon ECS resources associated with your own
  account or your member accounts is the percentage of the healthy Amazon ECS clusters over all
  the Amazon ECS clusters in the selected AWS Region." So the caller's detector lists, besides
  its own clusters, those of the detectors of its members in the Region whose relationship is
  Enabled (``organization.model.member_account_ids``), each with its ``accountId`` (CoverageResource
  ``AccountId``: "The unique ID of the Amazon Web Services account.") and its own detector's
  ``detectorId`` (**chosen**: the model says only "The unique ID of the GuardDuty detector
  associated with the resource."); the ``ACCOUNT_ID`` criterion selects accounts. A member's
  coverage is its own detector's (Runtime Monitoring as its detector has it). Coverage events of
  a member's clusters are put on the member's bus, as before.
- GetCoverageStatistics: ``COUNT_BY_RESOURCE_TYPE`` and ``COUNT_BY_COVERAGE_STATUS`` over the
  filtered resources (the members' too, for an administrator); only counts above 0 appear.
"""
