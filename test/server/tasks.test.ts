/**
 * Tasks (protocol 2025-11-25) through the built CLI, with server-everything's
 * task tool `simulate-research-query` (`execution.taskSupport: "required"`):
 * a task is made, followed and finished through the switchboard, a client
 * never sees or cancels another client's task, and a client that did not
 * declare tasks is not shown a tool it could never call.
 */
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTaskStore } from '@modelcontextprotocol/sdk/experimental/tasks';
import {
  CallToolResultSchema,
  CancelTaskResultSchema,
  CreateMessageRequestSchema,
  CreateTaskResultSchema,
  ElicitRequestSchema,
  GetTaskResultSchema,
  ListTasksResultSchema,
  RELATED_TASK_META_KEY,
  TaskStatusNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { eventually, everythingStdio, type RunningSwitchboard, startSwitchboard, waitForTool } from './harness';

const TASK_TOOL = 'everything_simulate-research-query';
const TASKS = { capabilities: { tasks: { list: {}, cancel: {} } } };

async function startTask(client: Client, topic: string) {
  return await client.request(
    { method: 'tools/call', params: { name: TASK_TOOL, arguments: { topic }, task: { ttl: 60_000 } } },
    CreateTaskResultSchema,
  );
}

describe('tasks through the switchboard', function () {
  this.timeout(40_000);
  let switchboard: RunningSwitchboard;
  let owner: Client;
  let other: Client;

  before(async () => {
    switchboard = await startSwitchboard({ everything: everythingStdio });
    owner = await switchboard.connect(TASKS);
    other = await switchboard.connect(TASKS);
    await waitForTool(owner, TASK_TOOL);
  });
  after(async () => switchboard?.stop());

  it('lists a task-required tool only to clients that declared tasks', async () => {
    const plain = await switchboard.connect();
    const names = (await plain.listTools()).tools.map((tool) => tool.name);
    assert.ok(names.includes('everything_echo'));
    assert.ok(!names.includes(TASK_TOOL), 'hidden from a client that cannot call it');
    const listed = (await owner.listTools()).tools.find((tool) => tool.name === TASK_TOOL);
    assert.equal((listed?.execution as { taskSupport?: string } | undefined)?.taskSupport, 'required');
  });

  it('makes, follows and finishes a task, with status notifications and an id of the switchboard', async () => {
    const statuses: string[] = [];
    owner.setNotificationHandler(TaskStatusNotificationSchema, (notification) => void statuses.push(`${notification.params.taskId} ${notification.params.status}`));
    const created = await startTask(owner, 'switchboards');
    const taskId = created.task.taskId;
    assert.match(taskId, /^everything-[0-9a-f-]{36}$/, 'a front id, not the backend one');
    assert.ok(['working', 'submitted'].includes(created.task.status));
    const got = await owner.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);
    assert.equal(got.taskId, taskId);
    const listed = await owner.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema);
    assert.deepEqual(listed.tasks.map((task) => task.taskId), [taskId]);
    const result = await owner.request({ method: 'tasks/result', params: { taskId } }, CallToolResultSchema);
    assert.match(JSON.stringify(result.content), /Research Report: switchboards/);
    const done = await owner.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);
    assert.equal(done.status, 'completed');
    await eventually('a completed status notification with the front id', () => statuses.includes(`${taskId} completed`) || undefined, 5_000);
    assert.ok(statuses.every((line) => line.startsWith('everything-')), statuses.join('\n'));
  });

  it('asks the client of the task for input (input_required), with the task id it knows', async () => {
    const asker = await switchboard.connect({ capabilities: { tasks: { list: {}, cancel: {} }, elicitation: {} } });
    const asked: unknown[] = [];
    asker.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params._meta?.[RELATED_TASK_META_KEY]);
      const schema = (request.params as { requestedSchema?: { properties?: { interpretation?: { oneOf?: { const: string }[] } } } }).requestedSchema;
      const options = schema?.properties?.interpretation?.oneOf ?? [];
      return { action: 'accept', content: { interpretation: options[0]?.const ?? 'the first' } };
    });
    await waitForTool(asker, TASK_TOOL);
    const created = await asker.request(
      { method: 'tools/call', params: { name: TASK_TOOL, arguments: { topic: 'python', ambiguous: true }, task: { ttl: 60_000 } } },
      CreateTaskResultSchema,
    );
    const result = await asker.request({ method: 'tasks/result', params: { taskId: created.task.taskId } }, CallToolResultSchema);
    assert.match(JSON.stringify(result.content), /Clarification/);
    assert.deepEqual(asked, [{ taskId: created.task.taskId }]);
  });

  it("never shows or cancels one client's task to another", async () => {
    const created = await startTask(owner, 'privacy');
    const taskId = created.task.taskId;
    await assert.rejects(other.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema), /Task not found/);
    await assert.rejects(other.request({ method: 'tasks/cancel', params: { taskId } }, CancelTaskResultSchema), /Task not found/);
    await assert.rejects(other.request({ method: 'tasks/result', params: { taskId } }, CallToolResultSchema), /Task not found/);
    assert.deepEqual((await other.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema)).tasks, []);
    const cancelled = await owner.request({ method: 'tasks/cancel', params: { taskId } }, CancelTaskResultSchema);
    assert.equal(cancelled.taskId, taskId);
    assert.equal(cancelled.status, 'cancelled');
  });

  it("runs a backend's task-augmented sampling as a task of the client that runs such tasks, under an id of the switchboard", async () => {
    const taskStore = new InMemoryTaskStore();
    const runner = await switchboard.connect({
      capabilities: { sampling: {}, tasks: { list: {}, cancel: {}, requests: { sampling: { createMessage: {} } } } },
      taskStore,
    });
    const seenTaskIds: string[] = [];
    runner.setRequestHandler(CreateMessageRequestSchema, async (request, extra) => {
      const answer = { role: 'assistant' as const, content: { type: 'text' as const, text: 'sampled as a task' }, model: 'test-model' };
      if (!request.params.task || !extra.taskStore) return answer;
      const task = await extra.taskStore.createTask({ ttl: request.params.task.ttl ?? 60_000 });
      seenTaskIds.push(task.taskId);
      setTimeout(() => void extra.taskStore?.storeTaskResult(task.taskId, 'completed', answer), 200);
      return { task } as never;
    });
    await waitForTool(runner, 'everything_trigger-sampling-request-async');
    const result = await runner.callTool({ name: 'everything_trigger-sampling-request-async', arguments: { prompt: 'hi' } }, undefined, { timeout: 30_000 });
    const report = JSON.stringify(result.content);
    assert.match(report, /\[COMPLETED\] Async sampling completed/, report);
    assert.match(report, /sampled as a task/);
    assert.equal(seenTaskIds.length, 1);
    assert.ok(!report.includes(seenTaskIds[0] ?? '-'), 'the backend knew the task by the switchboard\'s id, not the client\'s');
    assert.match(report, /switchboard-[0-9a-f-]{36}/);
    taskStore.cleanup(); // Its expiry timers would keep mocha running for the task's whole ttl.
  });

  it("runs a backend's task-augmented sampling itself for a client that does not run such tasks, asking it plainly", async () => {
    const plain = await switchboard.connect({ capabilities: { sampling: {} } });
    plain.setRequestHandler(CreateMessageRequestSchema, async (request) => {
      assert.equal((request.params as { task?: unknown }).task, undefined, 'the task part is taken off');
      return { role: 'assistant', content: { type: 'text', text: 'sampled at once' }, model: 'test-model' };
    });
    await waitForTool(plain, 'everything_trigger-sampling-request-async');
    const result = await plain.callTool({ name: 'everything_trigger-sampling-request-async', arguments: { prompt: 'hi' } });
    assert.match(JSON.stringify(result.content), /\[COMPLETED\] Async sampling completed[\s\S]*sampled at once/);
  });

  it('runs a task-augmented call to a tool of a backend without tasks as a plain call', async () => {
    const result = await owner.request(
      { method: 'tools/call', params: { name: 'everything_echo', arguments: { message: 'plain' }, task: { ttl: 60_000 } } },
      CallToolResultSchema,
    );
    assert.match(JSON.stringify(result.content), /Echo: plain/);
  });
});
