#include "cli/bench_gateway.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iomanip>
#include <map>
#include <mutex>
#include <ostream>
#include <sstream>
#include <thread>

#include "cli/arguments.h"
#include "cli/latency_percentile.h"
#include "linkage/csv_reader.h"
#include "service/machine_ticks.h"

namespace nser::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// CPU seconds (user + system) this process has used so far: the load
// generator shares the cores with the processes it measures.
double processCpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Percent of the machine's CPU time stolen between two instants, from
// samples in time order (the nearest samples around them).
double stealBetween(const std::vector<std::pair<Clock::time_point, service::MachineTicks>>& samples,
                    Clock::time_point from, Clock::time_point to) {
  if (samples.size() < 2) return 0;
  auto before = [](const auto& sample, Clock::time_point t) { return sample.first < t; };
  auto first = std::lower_bound(samples.begin(), samples.end(), from, before);
  if (first != samples.begin()) --first;
  auto last = std::lower_bound(samples.begin(), samples.end(), to, before);
  if (last == samples.end()) --last;
  return service::stealPercent(first->second, last->second);
}

std::string searchBody(std::size_t n, const std::string& programme, const std::string& purpose,
                       const std::vector<std::string>& attributes, const std::string& cnic) {
  std::string names;
  for (const auto& name : attributes) names += (names.empty() ? "\"" : ",\"") + name + "\"";
  return R"({"signature": "", "header": {"version": "1.0.0", "message_id": "bench-)" + std::to_string(n) +
         R"(", "message_ts": "2026-01-01T00:00:00Z", "action": "search", "sender_id": ")" + programme +
         R"(", "receiver_id": "gateway", "total_count": 1}, "message": {"transaction_id": "bench", "search_request": [{"reference_id": "r", "timestamp": "2026-01-01T00:00:00Z", "search_criteria": {"query_type": "idtype-value", "query": {"type": "CNIC", "value": ")" +
         cnic + R"("}, "purpose": ")" + purpose + R"(", "attributes": [)" + names + "]}}]}}";
}

}  // namespace

int runBenchGateway(const std::vector<std::string>& args, CommandIo io) {
  const auto parsed = Arguments::parse(args, {{"url"}, {"csv"}, {"cnic-column"}, {"programme"}, {"purpose"},
                                              {"attributes"}, {"rate"}, {"seconds"}, {"connections"}, {"queries"},
                                              {"warmup"}});
  const Poco::URI url(parsed.required("url"));
  if (url.getScheme() != "http" || url.getHost().empty()) {
    throw UsageError("--url must be http://127.0.0.1:PORT (a loopback-only gateway)");
  }
  const double rate = parsed.realOr("rate", 1000.0, 1.0, 1e6);
  const double duration = parsed.realOr("seconds", 20.0, 0.5, 3600.0);
  const auto connections = static_cast<unsigned>(parsed.integerOr("connections", 32, 1, 1024));
  const auto queryCount = static_cast<std::size_t>(parsed.integerOr("queries", 20000, 1, 10'000'000));
  const double warmup = parsed.realOr("warmup", 2.0, 0.0, 600.0);
  const auto attributes = splitList(parsed.required("attributes"));
  if (attributes.empty()) throw UsageError("--attributes needs at least one name");

  // The CNICs to ask for, from the CSV the custodians synced.
  std::ifstream in(parsed.required("csv"), std::ios::binary);
  if (!in) throw std::runtime_error("cannot read '" + parsed.required("csv") + "'");
  linkage::CsvReader reader(in);
  std::vector<std::string> fields;
  if (reader.next(fields) != linkage::CsvStatus::Record) throw std::runtime_error("the CSV has no header");
  const std::string column = parsed.valueOr("cnic-column", "cnic");
  const auto at = std::find(fields.begin(), fields.end(), column);
  if (at == fields.end()) throw UsageError("the CSV has no column '" + column + "'");
  const auto cnicIndex = static_cast<std::size_t>(at - fields.begin());
  std::vector<std::string> bodies;
  while (bodies.size() < queryCount && reader.next(fields) == linkage::CsvStatus::Record) {
    if (cnicIndex >= fields.size() || fields[cnicIndex].empty()) continue;
    bodies.push_back(searchBody(bodies.size(), parsed.required("programme"), parsed.required("purpose"), attributes,
                                fields[cnicIndex]));
  }
  if (bodies.empty()) throw std::runtime_error("no CNIC found in the CSV");

  std::mutex merge;
  std::vector<double> latencies;
  std::vector<std::vector<double>> bySecond(static_cast<std::size_t>(duration) + 1);  // by scheduled second
  std::map<int, std::uint64_t> statuses;
  std::uint64_t withValues = 0;
  std::uint64_t errors = 0;
  std::uint64_t sent = 0;  // warm-up included: the CPU figures cover them too
  std::string firstError;
  const auto interval = std::chrono::duration<double>(static_cast<double>(connections) / rate);
  const auto start = Clock::now() + std::chrono::milliseconds(200);
  const auto measureFrom = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(warmup));
  const auto end = measureFrom + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(duration));
  const double cpuBefore = processCpuSeconds();
  // The machine's steal every 100 ms while the load runs, so that a slow
  // second can be told to be the hypervisor's.
  std::vector<std::pair<Clock::time_point, service::MachineTicks>> machine;
  std::atomic<bool> sampling{true};
  std::thread sampler([&] {
    while (sampling.load()) {
      machine.emplace_back(Clock::now(), service::readMachineTicks());
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    machine.emplace_back(Clock::now(), service::readMachineTicks());
  });
  std::vector<std::thread> workers;
  for (unsigned w = 0; w < connections; ++w) {
    workers.emplace_back([&, w] {
      std::vector<double> mine;
      std::vector<std::pair<std::size_t, double>> mineBySecond;
      std::map<int, std::uint64_t> myStatuses;
      std::uint64_t myValues = 0;
      std::uint64_t myErrors = 0;
      std::uint64_t mySent = 0;
      Poco::Net::HTTPClientSession session(url.getHost(), url.getPort());
      session.setKeepAlive(true);
      session.setTimeout(Poco::Timespan(30, 0));
      // Each connection's schedule is offset so the load is spread evenly.
      auto scheduled = start + std::chrono::duration_cast<Clock::duration>(interval * (static_cast<double>(w) / connections));
      for (std::size_t k = w; scheduled < end; k += connections) {
        std::this_thread::sleep_until(scheduled);
        ++mySent;
        try {
          const std::string& body = bodies[k % bodies.size()];
          Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, "/registry/sync/search",
                                         Poco::Net::HTTPMessage::HTTP_1_1);
          request.setContentType("application/json");
          request.setContentLength(static_cast<std::streamsize>(body.size()));
          request.setKeepAlive(true);
          session.sendRequest(request) << body;
          Poco::Net::HTTPResponse response;
          std::string answer;
          Poco::StreamCopier::copyToString(session.receiveResponse(response), answer);
          if (scheduled >= measureFrom) {
            const double latency = std::chrono::duration<double>(Clock::now() - scheduled).count();
            mine.push_back(latency);
            mineBySecond.emplace_back(
                static_cast<std::size_t>(std::chrono::duration<double>(scheduled - measureFrom).count()), latency);
            ++myStatuses[static_cast<int>(response.getStatus())];
            if (answer.find("\"values\":{\"") != std::string::npos) ++myValues;
          }
        } catch (const std::exception& e) {
          ++myErrors;
          session.reset();
          std::lock_guard lock(merge);
          if (firstError.empty()) firstError = e.what();
        }
        scheduled += std::chrono::duration_cast<Clock::duration>(interval);
      }
      std::lock_guard lock(merge);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
      for (const auto& [second, latency] : mineBySecond) bySecond[std::min(second, bySecond.size() - 1)].push_back(latency);
      for (const auto& [status, count] : myStatuses) statuses[status] += count;
      withValues += myValues;
      errors += myErrors;
      sent += mySent;
    });
  }
  for (auto& worker : workers) worker.join();
  sampling = false;
  sampler.join();
  const double cpuSeconds = processCpuSeconds() - cpuBefore;
  io.out << std::fixed << std::setprecision(3) << "requests=" << latencies.size() << "\nsent=" << sent
         << "\nerrors=" << errors;
  for (const auto& [status, count] : statuses) io.out << "\nstatus_" << status << "=" << count;
  io.out << "\nwith_values=" << withValues << "\nconnections=" << connections << "\nseconds=" << duration
         << std::setprecision(0) << "\ntarget_rate=" << rate
         << "\nrequests_per_second=" << static_cast<double>(latencies.size()) / duration << std::setprecision(3)
         << "\nlatency_p50_ms=" << percentile(latencies, 0.50) * 1000
         << "\nlatency_p90_ms=" << percentile(latencies, 0.90) * 1000
         << "\nlatency_p99_ms=" << percentile(latencies, 0.99) * 1000
         << "\nlatency_max_ms=" << percentile(latencies, 1.0) * 1000 << std::setprecision(2)
         << "\ncpu_seconds_generator=" << cpuSeconds << std::setprecision(1)
         << "\nsteal_percent=" << stealBetween(machine, measureFrom, end);
  // Where the slow requests were: the three seconds (by when the requests were
  // due) with the highest p99, to tell a steady queue from a pause, each with
  // the machine's steal in it.
  std::vector<std::pair<double, std::size_t>> worst;
  for (std::size_t second = 0; second < bySecond.size(); ++second) {
    if (!bySecond[second].empty()) worst.emplace_back(percentile(bySecond[second], 0.99), second);
  }
  std::sort(worst.rbegin(), worst.rend());
  io.out << std::setprecision(1) << "\nworst_seconds=";
  for (std::size_t i = 0; i < std::min<std::size_t>(3, worst.size()); ++i) {
    const auto from = measureFrom + std::chrono::seconds(worst[i].second);
    io.out << (i ? "," : "") << "t" << worst[i].second << ":p99=" << worst[i].first * 1000
           << "ms:steal=" << stealBetween(machine, from, from + std::chrono::seconds(1)) << "%";
  }
  io.out << "\n";
  if (!firstError.empty()) io.err << "nser bench gateway: first error: " << firstError << "\n";
  return errors == 0 ? kExitOk : kExitFailure;
}

}  // namespace nser::cli
