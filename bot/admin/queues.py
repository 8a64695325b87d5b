"""Queue health (county admins): counts per queue from RQ's registries, retry of failed jobs."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from redis.exceptions import RedisError

from bot import ext
from bot.admin import bp
from bot.admin.auth import roles
from bot.services import admin_queues, audit


@bp.get("/queues")
@roles("county_admin")
def queues():
    try:
        rows, workers = admin_queues.health(ext.get())
        error = None
    except RedisError as exc:
        rows, workers, error = [], 0, f"无法连接 Redis：{exc.__class__.__name__}"
    return render_template("admin/queues.html", rows=rows, workers=workers, error=error, me=g.member)


@bp.post("/queues/<queue>/retry")
@roles("county_admin")
def queue_retry(queue: str):
    job_id = request.form.get("job_id") or ""
    res = ext.get()
    if queue not in res.queues:
        abort(404)
    ok = admin_queues.retry(res, queue, job_id)
    if ok:
        with res.db.session() as s:
            audit.record(s, g.member, "retry_job", "job", job_id, f"重试任务 {queue}/{job_id}")
    flash("已重新排队。" if ok else "找不到这个失败任务。", "ok" if ok else "error")
    return redirect(url_for("admin.queues"))
