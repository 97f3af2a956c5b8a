// EtcdStore: opening, the watch that keeps the view current, re-listing, and the
// lease-based sweeper election.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <climits>

#include "webhook/ledger/etcd/etcd_json.h"
#include "webhook/ledger/etcd/etcd_store.h"
#include "webhook/ledger/etcd/etcd_store_metrics.h"

namespace migwarden::ledger::etcd {
namespace {

constexpr std::chrono::milliseconds kMinBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{2'000};
constexpr int64_t kRelistPage = 1000;

std::string defaultReplicaId() {
  char host[HOST_NAME_MAX + 1] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] != '\0' ? host : "replica") + "-" + std::to_string(getpid());
}

}  // namespace

EtcdStore::EtcdStore(EtcdStoreOptions options, std::unique_ptr<Client> client)
    : options_(std::move(options)),
      layout_(options_.prefix),
      client_(std::move(client)),
      view_(std::make_unique<View>(layout_)) {
  if (options_.metrics != nullptr) metrics_ = std::make_unique<Metrics>(*options_.metrics);
}

Result<std::unique_ptr<EtcdStore>> EtcdStore::open(EtcdStoreOptions options) {
  MIGWARDEN_RETURN_IF_ERROR(checkPrefix(options.prefix));
  if (options.clock == nullptr) return Status::InvalidArgument("EtcdStore needs a Clock");
  if (options.maxTxnAttempts < 1) return Status::InvalidArgument("maxTxnAttempts must be at least 1");
  if (options.leaderLeaseTtl < std::chrono::seconds(2) ||
      options.maintenanceInterval * 2 > options.leaderLeaseTtl)
    return Status::InvalidArgument("the sweeper lease TTL must be >= 2s and twice the maintenance interval");
  if (options.replicaId.empty()) options.replicaId = defaultReplicaId();
  auto client = Client::create(options.client);
  if (!client.ok()) return client.status();
  std::unique_ptr<EtcdStore> store(new EtcdStore(std::move(options), std::move(client).value()));
  store->watchThread_ = std::thread([s = store.get()] { s->watchLoop(); });
  store->maintenanceThread_ = std::thread([s = store.get()] { s->maintenanceLoop(); });
  if (store->options_.initialSyncTimeout.count() > 0) {
    std::shared_lock lock(store->mu_);
    const bool synced = store->viewAdvanced_.wait_for(lock, store->options_.initialSyncTimeout, [&] {
      std::lock_guard health(store->healthMu_);
      return store->watchConnected_;
    });
    if (!synced)
      spdlog::warn("ledger etcd: not synchronised with etcd after {} ms; starting unready and retrying: {}",
                   store->options_.initialSyncTimeout.count(), store->health().message());
  }
  return store;
}

EtcdStore::~EtcdStore() {
  {
    std::lock_guard lock(stopMu_);
    stopping_ = true;
    if (activeStream_ != nullptr) activeStream_->cancel();
  }
  stopCv_.notify_all();
  if (watchThread_.joinable()) watchThread_.join();
  if (maintenanceThread_.joinable()) maintenanceThread_.join();
  resign();
}

void EtcdStore::waitBackoff(std::chrono::milliseconds delay) {
  std::unique_lock lock(stopMu_);
  stopCv_.wait_for(lock, delay, [this] { return stopping_; });
}

void EtcdStore::setWatchState(bool connected, const Status& cause) {
  {
    std::lock_guard lock(healthMu_);
    const bool changed = connected != watchConnected_;
    watchConnected_ = connected;
    watchError_ = connected ? Status::Ok() : cause;
    if (connected) callError_ = Status::Ok();
    // Logged inside the lock, after the change: whoever reads the line sees the state.
    if (changed && connected && !everConnected_) {
      std::string urls;
      for (const Endpoint& ep : client_->options().endpoints) {
        if (!urls.empty()) urls += ',';
        urls += ep.url();
      }
      spdlog::info("ledger etcd: watching {} (etcd {})", layout_.prefix(), urls);
    } else if (changed && connected) {
      spdlog::info("ledger etcd: etcd is reachable again; watching {} and accepting writes", layout_.prefix());
    } else if (changed) {
      spdlog::warn("ledger etcd: lost etcd ({}); writes fail closed until it is back", cause.message());
    } else if (!connected && !everConnected_ && !startupWarned_) {
      startupWarned_ = true;
      spdlog::warn("ledger etcd: cannot reach etcd yet ({}); not ready, retrying", cause.message());
    }
    everConnected_ = everConnected_ || connected;
  }
  if (metrics_) metrics_->connected->set(connected ? 1 : 0);
  { std::unique_lock lock(mu_); }  // so a waiter cannot miss the notification
  viewAdvanced_.notify_all();
}

void EtcdStore::watchLoop() {
  std::chrono::milliseconds backoff = kMinBackoff;
  for (;;) {
    {
      std::lock_guard lock(stopMu_);
      if (stopping_) return;
    }
    bool relistNeeded;
    {
      std::shared_lock lock(mu_);
      relistNeeded = needRelist_ || view_->wantsRelist();
    }
    Status s = relistNeeded ? relist() : Status::Ok();
    if (s.ok()) s = runWatch();
    {
      std::lock_guard lock(stopMu_);
      if (stopping_) return;
    }
    if (s.ok()) {
      backoff = kMinBackoff;
      continue;  // ended for a re-list
    }
    setWatchState(false, s);
    waitBackoff(backoff);
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

Status EtcdStore::relist() {
  auto fresh = std::make_unique<View>(layout_);
  const std::string end = prefixEnd(layout_.prefix());
  std::string from = layout_.prefix();
  int64_t revision = 0;
  size_t keys = 0;
  for (;;) {
    auto answer = client_->post("/v3/kv/range", encodeRange(from, end, revision, kRelistPage, false));
    Result<RangeResponse> page = answer.ok() ? decodeRange(*answer) : Result<RangeResponse>(answer.status());
    noteCall(page.status());
    if (!page.ok()) return page.status().withContext("listing " + layout_.prefix());
    if (revision == 0) revision = page->revision;
    for (const KeyValue& kv : page->kvs) fresh->apply(kv.key, kv.value, kv.modRevision);
    keys += page->kvs.size();
    if (!page->more || page->kvs.empty()) break;
    from = page->kvs.back().key + std::string(1, '\0');
  }
  {
    std::unique_lock lock(mu_);
    view_ = std::move(fresh);
    watchRevision_ = revision;
    needRelist_ = false;
  }
  synced_.store(true);
  if (metrics_) metrics_->relists->inc();
  viewAdvanced_.notify_all();
  spdlog::info("ledger etcd: listed {} keys under {} at revision {}", keys, layout_.prefix(), revision);
  return Status::Ok();
}

Status EtcdStore::runWatch() {
  int64_t from;
  {
    std::shared_lock lock(mu_);
    from = watchRevision_ + 1;
  }
  auto stream = client_->openStream("/v3/watch", encodeWatchCreate(layout_.prefix(), prefixEnd(layout_.prefix()), from));
  noteCall(stream.status());
  if (!stream.ok()) return stream.status();
  {
    std::lock_guard lock(stopMu_);
    if (stopping_) return Status::Ok();
    activeStream_ = stream->get();
  }
  struct Unregister {
    EtcdStore* self;
    ~Unregister() {
      std::lock_guard lock(self->stopMu_);
      self->activeStream_ = nullptr;
    }
  } unregister{this};

  for (;;) {
    auto line = (*stream)->next();
    if (!line.ok()) return line.status();
    auto response = decodeWatch(*line);
    if (!response.ok()) return response.status();
    if (response->compactRevision > 0 || response->canceled) {
      spdlog::warn("ledger etcd: watch from revision {} cancelled ({}{}); re-listing", from,
                   response->compactRevision > 0 ? "compacted at " + std::to_string(response->compactRevision) : "",
                   response->cancelReason);
      std::unique_lock lock(mu_);
      needRelist_ = true;
      return Status::Ok();
    }
    if (response->created) {
      setWatchState(true, Status::Ok());
      continue;
    }
    bool relistNow = false;
    {
      std::unique_lock lock(mu_);
      int64_t upTo = response->revision;
      if (!response->events.empty()) {
        // Everything up to the last event is delivered (a catch-up batch's header may
        // name a later revision than its last event).
        upTo = 0;
        for (const WatchEvent& e : response->events) {
          view_->apply(e.kv.key, e.deleted ? std::nullopt : std::optional<std::string_view>(e.kv.value),
                       e.kv.modRevision);
          upTo = std::max(upTo, e.kv.modRevision);
        }
      }
      watchRevision_ = std::max(watchRevision_, upTo);
      view_->pruneTombstones(watchRevision_);
      relistNow = view_->wantsRelist();
      if (relistNow) needRelist_ = true;
    }
    viewAdvanced_.notify_all();
    if (relistNow) return Status::Ok();
  }
}

int64_t EtcdStore::watchedRevision() const {
  std::shared_lock lock(mu_);
  return watchRevision_;
}

bool EtcdStore::waitForRevision(int64_t revision, std::chrono::milliseconds timeout) const {
  std::shared_lock lock(mu_);
  return viewAdvanced_.wait_for(lock, timeout, [&] { return watchRevision_ >= revision; });
}

Result<int64_t> EtcdStore::currentRevision() const {
  auto answer = client_->post("/v3/kv/range", encodeRange(layout_.leader(), "", 0, 0, true));
  Result<RangeResponse> range = answer.ok() ? decodeRange(*answer) : Result<RangeResponse>(answer.status());
  noteCall(range.status());
  if (!range.ok()) return unavailable(range.status());
  return range->revision;
}

void EtcdStore::maintenanceLoop() {
  for (;;) {
    {
      std::unique_lock lock(stopMu_);
      if (stopCv_.wait_for(lock, options_.maintenanceInterval, [this] { return stopping_; })) return;
    }
    if (leader_.load()) {
      auto answer = client_->post("/v3/lease/keepalive", encodeLeaseId(leaseId_.load()));
      Result<int64_t> ttl = answer.ok() ? decodeKeepAlive(*answer) : Result<int64_t>(answer.status());
      if (!ttl.ok() || *ttl <= 0) {
        spdlog::warn("ledger etcd: lost the sweeper lease ({}); another replica will expire reservations",
                     ttl.ok() ? "lease expired" : ttl.status().message());
        leader_.store(false);
        if (metrics_) metrics_->sweeper->set(0);
      }
    }
    // A cheap read proves etcd answers; a silent network partition would otherwise
    // leave the watch waiting forever.
    Status probe = currentRevision().status();
    if (!probe.ok()) {
      std::lock_guard lock(stopMu_);
      if (activeStream_ != nullptr) activeStream_->cancel();
    }
  }
}

bool EtcdStore::campaign() {
  if (leader_.load()) return true;
  {
    std::shared_lock lock(mu_);
    if (view_->modRevision(layout_.leader()) != 0) return false;  // held by someone else
  }
  auto grantAnswer = client_->post("/v3/lease/grant", encodeLeaseGrant(options_.leaderLeaseTtl.count()));
  Result<LeaseGrant> grant = grantAnswer.ok() ? decodeLeaseGrant(*grantAnswer) : Result<LeaseGrant>(grantAnswer.status());
  noteCall(grant.status());
  if (!grant.ok()) return false;
  TxnRequest txn;
  txn.compares.push_back(Compare{layout_.leader(), Compare::Target::kCreateRevision, 0});
  txn.success.push_back(Op{Op::Kind::kPut, layout_.leader(), options_.replicaId, grant->id});
  txn.failure.push_back(Op{Op::Kind::kRange, layout_.leader(), {}, 0});
  auto answer = client_->post("/v3/kv/txn", encodeTxn(txn));
  Result<TxnResponse> response = answer.ok() ? decodeTxn(*answer) : Result<TxnResponse>(answer.status());
  noteCall(response.status());
  if (response.ok() && response->succeeded) {
    leaseId_.store(grant->id);
    leader_.store(true);
    if (metrics_) metrics_->sweeper->set(1);
    spdlog::info("ledger etcd: replica {} now expires reservations (sweeper lease {})", options_.replicaId, grant->id);
    return true;
  }
  (void)client_->post("/v3/lease/revoke", encodeLeaseId(grant->id));  // best effort; it expires anyway
  return false;
}

void EtcdStore::resign() {
  if (!leader_.exchange(false)) return;
  // Revoking deletes the leader key at once, so another replica takes over without
  // waiting for the TTL.
  auto answer = client_->post("/v3/lease/revoke", encodeLeaseId(leaseId_.load()));
  if (!answer.ok()) spdlog::warn("ledger etcd: could not give up the sweeper lease: {}", answer.status().message());
}

}  // namespace migwarden::ledger::etcd
