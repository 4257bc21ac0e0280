// The parts of the page that are text rather than charts: header, KPIs, partition tiles, tables.

const memberColors = ['#3b6fd8', '#1f9d55', '#9b59b6', '#e07b39', '#16a2b8', '#8c6d31'];

const byId = (id) => document.getElementById(id);
const text = (id, value) => {
  byId(id).textContent = value;
};

function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'style') Object.assign(node.style, value);
    else if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

const ms = (value) => (value === null || value === undefined ? '–' : `${Math.round(value)} ms`);
const money = (value) =>
  value.toLocaleString('en', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });
const time = (iso) => (iso ? new Date(iso).toTimeString().slice(0, 8) : '–');

export function showConnection(state) {
  const pill = byId('connection');
  pill.dataset.state = state;
  pill.textContent = state;
  pill.className = `pill ${state === 'live' ? 'pill-live' : state === 'closed' ? 'pill-bad' : 'pill-wait'}`;
}

export function showSummaryText(summary, updates) {
  text('update-count', String(updates));
  text('processed-records', summary.processing.processedRecords.toLocaleString('en'));
  text('group-id', summary.processing.groupId);
  text('generated-at', time(summary.generatedAt));
  const lastMinute = summary.perMinute.at(-1);
  text('kpi-revenue', lastMinute ? money(lastMinute.revenue) : '–');
  text('kpi-async-p95', ms(summary.latency.async.p95));
  text('kpi-sync-p95', ms(summary.latency.sync.p95));
}

/**
 * A replay in progress (or paused by a restart) in the header: its phase and how far along it is.
 * Hidden when none runs; `data-status` and `data-fraction` say the same for scripts and tests.
 */
export function showReplay(replay) {
  const pill = byId('replay-status');
  const active = replay && (replay.status === 'running' || replay.status === 'paused');
  pill.hidden = !active;
  if (!active) return;
  const { progress, rate } = replay;
  const percent = `${Math.floor(progress.fraction * 100)} %`;
  const records = `${progress.processedRecords.toLocaleString('en')} of ${progress.targetRecords.toLocaleString('en')} records`;
  pill.dataset.status = replay.status;
  pill.dataset.fraction = String(progress.fraction);
  pill.className = `pill ${replay.status === 'paused' ? 'pill-bad' : 'pill-wait'}`;
  pill.textContent =
    replay.status === 'paused'
      ? `replay paused at ${percent} (${records}): interrupted by a restart, resume it from the controls`
      : `replay running, ${replay.phase}: ${percent} (${records}, at most ${rate.maxRecordsPerSecond}/s)`;
}

export function showOrderRate(rate) {
  text('kpi-orders-rate', (rate.async + rate.sync).toFixed(1));
}

/**
 * The groups worth showing: every group with members, every service group even when empty (a
 * stopped service's lag growing is the point), but neither the finished replays' old analytics
 * groups nor short-lived helper groups that never committed anything (the outbox relay's recovery).
 */
export function visibleGroups(groups, analyticsGroupId) {
  return groups.filter((group) => {
    if (group.members.length > 0) return true;
    if (group.partitions.length === 0) return false;
    return !group.groupId.startsWith('analytics') || group.groupId === analyticsGroupId;
  });
}

/** `clientId@host · member id tail`: the instance, as far as the group protocol can tell. */
function memberLabel(member) {
  const host = member.clientHost.replace(/^\//, '');
  return `${member.clientId}${host ? `@${host}` : ''} · ${member.memberId.slice(-6)}`;
}

export function showConsumerGroups(groups) {
  text('kpi-lag', groups.reduce((sum, group) => sum + group.totalLag, 0).toLocaleString('en'));
  const container = byId('partition-owners');
  container.replaceChildren(
    ...groups.map((group) => {
      const colorOf = new Map(
        [...group.members]
          .sort((a, b) => a.memberId.localeCompare(b.memberId))
          .map((member, index) => [member.memberId, memberColors[index % memberColors.length]]),
      );
      const members = group.members.map((member) =>
        element('span', {
          class: 'member',
          title: member.memberId,
          style: { background: colorOf.get(member.memberId) },
          text: memberLabel(member),
        }),
      );
      const topics = new Map();
      for (const partition of group.partitions) {
        if (!topics.has(partition.topic)) topics.set(partition.topic, []);
        topics.get(partition.topic).push(partition);
      }
      const topicNodes = [...topics].map(([topic, partitions]) =>
        element('div', { class: 'topic' }, [
          element('span', { class: 'topic-name', text: topic }),
          ...partitions.map((partition) =>
            element('span', {
              class: `tile${partition.ownerMemberId ? '' : ' unowned'}${partition.lag > 0 ? ' lagging' : ''}`,
              'data-group': group.groupId,
              'data-topic': topic,
              'data-partition': String(partition.partition),
              'data-lag': String(partition.lag),
              title:
                `${topic}[${partition.partition}] owner ${partition.ownerMemberId ?? 'none'}, ` +
                `committed ${partition.committedOffset ?? '–'} of ${partition.logEndOffset}`,
              style: partition.ownerMemberId
                ? { background: colorOf.get(partition.ownerMemberId) }
                : {},
              text: `${partition.partition}:${partition.lag}`,
            }),
          ),
        ]),
      );
      return element('div', { class: 'group-row', 'data-group': group.groupId }, [
        element('div', { class: 'group-name' }, [
          element('strong', { text: group.groupId }),
          element('span', { class: 'subtle', text: `${group.state} · lag ${group.totalLag}` }),
          element(
            'div',
            { class: 'members' },
            members.length > 0 ? members : [element('em', { text: 'no members' })],
          ),
        ]),
        element('div', { class: 'topics' }, topicNodes),
      ]);
    }),
  );
}

export function showConsumerGroupsError(error) {
  byId('partition-owners').replaceChildren(
    element('p', { class: 'subtle', text: `consumer groups unavailable: ${error.message}` }),
  );
}

/** Open purchase orders: reordering's own list when it answers, else the summary's event view. */
export function showPurchaseOrders(orders, source) {
  text('kpi-open-pos', String(orders.length));
  text('purchase-orders-source', `(${source})`);
  byId('purchase-orders')
    .querySelector('tbody')
    .replaceChildren(
      ...orders.map((order) =>
        element('tr', {}, [
          element('td', { text: order.purchaseOrderId.slice(0, 8) }),
          element('td', { text: order.sku }),
          element('td', { class: 'num', text: String(order.quantity) }),
          element('td', { text: order.status }),
          element('td', { text: time(order.orderedAt) }),
          element('td', { text: time(order.expectedAt) }),
        ]),
      ),
    );
}

/** The summary's view of open purchase orders (created, not yet received), for the fallback. */
export function openPurchaseOrdersFromSummary(summary) {
  return summary.reordering.recent
    .filter((order) => order.receivedAt === null)
    .map((order) => ({
      purchaseOrderId: order.purchaseOrderId,
      sku: order.sku,
      quantity: order.quantity,
      status: 'ORDERED',
      orderedAt: order.createdAt,
      expectedAt: null,
    }));
}

/**
 * Who may touch what: each principal (a service's broker user) and its ACLs as the broker holds them,
 * one line per operation. `topic x*` is every topic whose name begins with x.
 */
export function showBrokerAccess(snapshot) {
  const container = byId('broker-access');
  if (!snapshot.authorizer) {
    container.replaceChildren(
      element('p', {
        class: 'subtle',
        text: 'The broker checks no ACLs (no authorizer): every client may touch every topic.',
      }),
    );
    return;
  }
  container.replaceChildren(
    ...snapshot.principals.map((view) =>
      element('div', { class: 'principal-row', 'data-principal': view.principal }, [
        element('strong', { text: view.principal }),
        element(
          'div',
          { class: 'principal-rules' },
          view.rules.map((rule) =>
            element(
              'div',
              {
                class: `rule${rule.permission === 'DENY' ? ' deny' : ''}`,
                'data-operation': rule.operation,
              },
              [
                element('span', {
                  class: 'rule-operation',
                  text: `${rule.permission === 'DENY' ? 'may not ' : ''}${rule.operation.toLowerCase()}`,
                }),
                element('span', { text: rule.resources.join(', ') }),
              ],
            ),
          ),
        ),
      ]),
    ),
  );
}

export function showBrokerAccessError(error) {
  byId('broker-access').replaceChildren(
    element('p', { class: 'subtle', text: `ACLs unavailable: ${error.message}` }),
  );
}
