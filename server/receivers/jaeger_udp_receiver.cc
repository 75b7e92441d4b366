#include "server/receivers/jaeger_udp_receiver.h"

#include <array>
#include <thread>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "wire/jaeger/jaeger_thrift.h"

namespace ariadne {

namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

constexpr std::string_view kReceiver = "jaeger_udp";

struct Listener {
  Listener(asio::io_context& ioc, ThriftProtocol p) : socket(ioc), protocol(p) {}
  udp::socket socket;
  ThriftProtocol protocol;
  std::array<char, 65536> buffer;
  udp::endpoint sender;
  uint16_t port = 0;
};

}  // namespace

struct JaegerUdpReceiver::Impl {
  IngestPipeline* pipeline;
  std::string host;
  int compact_port;
  int binary_port;
  asio::io_context ioc{1};
  std::unique_ptr<Listener> compact;
  std::unique_ptr<Listener> binary;
  std::thread thread;

  Status Open(std::unique_ptr<Listener>* out, int port, ThriftProtocol protocol) {
    if (port == kOff) return Status::Ok();
    auto l = std::make_unique<Listener>(ioc, protocol);
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(host, ec);
    if (ec) return Status::InvalidArgument("jaeger_udp: bad listen address '" + host + "'");
    udp::endpoint ep(addr, static_cast<uint16_t>(port));
    l->socket.open(ep.protocol(), ec);
    if (!ec) l->socket.bind(ep, ec);
    if (ec) {
      return Status::Unavailable("jaeger_udp: cannot listen on " + host + ":" +
                                 std::to_string(port) + ": " + ec.message());
    }
    // A larger receive buffer absorbs bursts from clients that flush many batches at once.
    l->socket.set_option(asio::socket_base::receive_buffer_size(4 << 20), ec);
    l->port = l->socket.local_endpoint().port();
    *out = std::move(l);
    return Status::Ok();
  }

  void Receive(Listener* l) {
    l->socket.async_receive_from(asio::buffer(l->buffer), l->sender,
                                 [this, l](const boost::system::error_code& ec, size_t n) {
                                   if (ec == asio::error::operation_aborted) return;
                                   if (!ec) Handle(l, std::string(l->buffer.data(), n));
                                   Receive(l);
                                 });
  }

  void Handle(Listener* l, std::string datagram) {
    ThriftProtocol protocol = l->protocol;
    std::string_view proto_name =
        protocol == ThriftProtocol::kCompact ? "thrift_compact" : "thrift_binary";
    IngestStats* stats = pipeline->stats();
    pipeline->Ingest(
        kReceiver, proto_name, std::move(datagram), ContentEncoding::kIdentity,
        [protocol](std::string&& body, const DecodeLimits& limits, DecodeResult* out) {
          return DecodeJaegerAgentEmitBatch(body, protocol, limits, out);
        },
        [stats, proto_name](IngestReply reply) {
          stats->CountRequest(kReceiver, proto_name, reply.status.ok() ? 200 : 0);
        });
  }
};

JaegerUdpReceiver::JaegerUdpReceiver(IngestPipeline* pipeline, std::string host, int compact_port,
                                     int binary_port)
    : impl_(std::make_unique<Impl>()) {
  impl_->pipeline = pipeline;
  impl_->host = std::move(host);
  impl_->compact_port = compact_port;
  impl_->binary_port = binary_port;
}

JaegerUdpReceiver::~JaegerUdpReceiver() { Stop(); }

Status JaegerUdpReceiver::Start() {
  Status s = impl_->Open(&impl_->compact, impl_->compact_port, ThriftProtocol::kCompact);
  if (s.ok()) s = impl_->Open(&impl_->binary, impl_->binary_port, ThriftProtocol::kBinary);
  if (!s.ok()) return s;
  if (impl_->compact) impl_->Receive(impl_->compact.get());
  if (impl_->binary) impl_->Receive(impl_->binary.get());
  if (impl_->compact || impl_->binary) impl_->thread = std::thread([this] { impl_->ioc.run(); });
  return Status::Ok();
}

uint16_t JaegerUdpReceiver::compact_port() const {
  return impl_->compact ? impl_->compact->port : 0;
}
uint16_t JaegerUdpReceiver::binary_port() const { return impl_->binary ? impl_->binary->port : 0; }

void JaegerUdpReceiver::Stop() {
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  boost::system::error_code ec;
  if (impl_->compact) impl_->compact->socket.close(ec);
  if (impl_->binary) impl_->binary->socket.close(ec);
}

}  // namespace ariadne
