//! An in-process DNS server for tests: answers from a small zone table over UDP and TCP
//! on 127.0.0.1 (a random port). Nothing leaves the machine.
//!
//! It behaves like a recursive resolver for the names it knows: it follows CNAMEs inside
//! the table, answers NOERROR with no records for known names, NXDOMAIN for unknown ones,
//! SERVFAIL for names marked so, and never answers names marked silent (for timeouts).

#![allow(dead_code)]

use hickory_resolver::proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_resolver::proto::rr::rdata::{A, AAAA, CNAME, MX, SRV, TXT};
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

/// A zone table. Names are written without the trailing dot; they are matched case-insensitively.
#[derive(Default, Clone)]
pub struct Zone {
    records: HashMap<(String, RecordType), Vec<RData>>,
    cnames: HashMap<String, String>,
    servfail: HashSet<String>,
    silent: HashSet<String>,
}

fn key(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn name(n: &str) -> Name {
    if n == "." || n.is_empty() {
        Name::root()
    } else {
        Name::from_ascii(format!("{}.", n.trim_end_matches('.'))).expect("test zone name")
    }
}

impl Zone {
    pub fn new() -> Zone {
        Zone::default()
    }

    fn add(&mut self, n: &str, rtype: RecordType, data: RData) -> &mut Zone {
        self.records.entry((key(n), rtype)).or_default().push(data);
        self
    }

    pub fn mx(&mut self, n: &str, preference: u16, exchange: &str) -> &mut Zone {
        self.add(
            n,
            RecordType::MX,
            RData::MX(MX::new(preference, name(exchange))),
        )
    }

    pub fn a(&mut self, n: &str, ip: &str) -> &mut Zone {
        let ip: Ipv4Addr = ip.parse().expect("test IPv4");
        self.add(n, RecordType::A, RData::A(A(ip)))
    }

    pub fn aaaa(&mut self, n: &str, ip: &str) -> &mut Zone {
        let ip: Ipv6Addr = ip.parse().expect("test IPv6");
        self.add(n, RecordType::AAAA, RData::AAAA(AAAA(ip)))
    }

    pub fn cname(&mut self, n: &str, target: &str) -> &mut Zone {
        self.cnames.insert(key(n), key(target));
        self
    }

    pub fn txt(&mut self, n: &str, text: &str) -> &mut Zone {
        // Split long strings into 255-byte character-strings, as real zones must.
        let parts: Vec<String> = text
            .as_bytes()
            .chunks(255)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        self.add(n, RecordType::TXT, RData::TXT(TXT::new(parts)))
    }

    pub fn srv(
        &mut self,
        n: &str,
        priority: u16,
        weight: u16,
        port: u16,
        target: &str,
    ) -> &mut Zone {
        self.add(
            n,
            RecordType::SRV,
            RData::SRV(SRV::new(priority, weight, port, name(target))),
        )
    }

    /// Answer SERVFAIL for every query of this name.
    pub fn servfail(&mut self, n: &str) -> &mut Zone {
        self.servfail.insert(key(n));
        self
    }

    /// Never answer queries of this name.
    pub fn silent(&mut self, n: &str) -> &mut Zone {
        self.silent.insert(key(n));
        self
    }

    fn exists(&self, n: &str) -> bool {
        self.cnames.contains_key(n)
            || self.records.keys().any(|(k, _)| k == n)
            // A name with children exists (empty non-terminal).
            || self.records.keys().any(|(k, _)| k.ends_with(&format!(".{n}")))
    }

    /// Builds the answer to one query; `None` means stay silent.
    fn answer(&self, query: &Message) -> Option<Message> {
        let q = query.queries.first()?.clone();
        let qname = key(&q.name().to_ascii());
        let qtype = q.query_type();
        let mut resp = Message::response(query.metadata.id, OpCode::Query);
        resp.metadata.message_type = MessageType::Response;
        resp.metadata.recursion_desired = query.metadata.recursion_desired;
        resp.metadata.recursion_available = true;
        resp.add_query(q.clone());
        if self.silent.contains(&qname) {
            return None;
        }
        if self.servfail.contains(&qname) {
            resp.metadata.response_code = ResponseCode::ServFail;
            return Some(resp);
        }
        let mut current = qname.clone();
        for _ in 0..8 {
            if qtype != RecordType::CNAME
                && let Some(target) = self.cnames.get(&current)
            {
                resp.add_answer(Record::from_rdata(
                    name(&current),
                    300,
                    RData::CNAME(CNAME(name(target))),
                ));
                current = target.clone();
                continue;
            }
            if qtype == RecordType::CNAME
                && let Some(target) = self.cnames.get(&current)
            {
                resp.add_answer(Record::from_rdata(
                    name(&current),
                    300,
                    RData::CNAME(CNAME(name(target))),
                ));
                return Some(resp);
            }
            break;
        }
        match self.records.get(&(current.clone(), qtype)) {
            Some(data) => {
                for d in data {
                    resp.add_answer(Record::from_rdata(name(&current), 300, d.clone()));
                }
            }
            None => {
                if !self.exists(&current) && resp.answers.is_empty() {
                    resp.metadata.response_code = ResponseCode::NXDomain;
                }
            }
        }
        Some(resp)
    }
}

/// A running fake DNS server. It stops when the test's runtime ends.
pub struct FakeDns {
    pub addr: SocketAddr,
}

impl FakeDns {
    /// Starts serving `zone` on 127.0.0.1 (UDP and TCP on the same random port).
    pub async fn start(zone: Zone) -> FakeDns {
        let zone = Arc::new(zone);
        let (udp, tcp) = loop {
            let udp = UdpSocket::bind("127.0.0.1:0")
                .await
                .expect("bind UDP on 127.0.0.1");
            let addr = udp.local_addr().expect("local addr");
            if let Ok(tcp) = TcpListener::bind(addr).await {
                break (udp, tcp);
            }
        };
        let addr = udp.local_addr().expect("local addr");
        let z = zone.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            loop {
                let Ok((n, peer)) = udp.recv_from(&mut buf).await else {
                    return;
                };
                let Ok(query) = Message::from_vec(&buf[..n]) else {
                    continue;
                };
                if let Some(resp) = z.answer(&query)
                    && let Ok(bytes) = resp.to_vec()
                {
                    let _ = udp.send_to(&bytes, peer).await;
                }
            }
        });
        tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = tcp.accept().await else {
                    return;
                };
                let z = zone.clone();
                tokio::spawn(async move {
                    loop {
                        let mut len = [0u8; 2];
                        if stream.read_exact(&mut len).await.is_err() {
                            return;
                        }
                        let mut buf = vec![0u8; u16::from_be_bytes(len) as usize];
                        if stream.read_exact(&mut buf).await.is_err() {
                            return;
                        }
                        let Ok(query) = Message::from_vec(&buf) else {
                            return;
                        };
                        if let Some(resp) = z.answer(&query)
                            && let Ok(bytes) = resp.to_vec()
                        {
                            let mut out = (bytes.len() as u16).to_be_bytes().to_vec();
                            out.extend_from_slice(&bytes);
                            if stream.write_all(&out).await.is_err() {
                                return;
                            }
                        }
                    }
                });
            }
        });
        FakeDns { addr }
    }
}

/// A zone covering every MX finding, SRV discovery, an IDN domain, well-known providers
/// and split providers. All addresses are on 127.0.0.0/8 or documentation ranges, and
/// only ever resolved, never contacted, except where a test says so.
pub fn standard_zone() -> Zone {
    let mut z = Zone::new();
    // A healthy self-hosted domain with all security records.
    z.mx("good.test", 10, "mx1.good.test")
        .mx("good.test", 20, "mx2.good.test")
        .a("mx1.good.test", "127.0.0.1")
        .aaaa("mx1.good.test", "::1")
        .a("mx2.good.test", "127.0.0.2")
        .txt("good.test", "v=spf1 mx -all")
        .txt("good.test", "some-verification=abc")
        .txt(
            "_dmarc.good.test",
            "v=DMARC1; p=reject; rua=mailto:d@good.test",
        )
        .txt("_mta-sts.good.test", "v=STSv1; id=20240101T000000")
        .txt(
            "_smtp._tls.good.test",
            "v=TLSRPTv1; rua=mailto:tls@good.test",
        );
    // RFC 7505 null MX.
    z.mx("nullmx.test", 0, ".")
        .txt("nullmx.test", "v=spf1 -all");
    // No MX, but an address: implicit MX.
    z.a("implicit.test", "127.0.0.3");
    // No MX and no address.
    z.txt("nomail.test", "v=spf1 -all");
    // MX target is a CNAME.
    z.mx("cname.test", 10, "mail.cname.test")
        .cname("mail.cname.test", "real.cname.test")
        .a("real.cname.test", "127.0.0.4");
    // MX target without address, next to a working one.
    z.mx("unresolvable.test", 10, "gone.unresolvable.test")
        .mx("unresolvable.test", 20, "mx.unresolvable.test")
        .a("mx.unresolvable.test", "127.0.0.5")
        .txt("gone.unresolvable.test", "exists but has no address");
    // MX target is an IP address written as a name.
    z.mx("ipliteral.test", 10, "192.0.2.25");
    // SERVFAIL and silence.
    z.servfail("servfail.test");
    z.silent("timeout.test");
    // SRV records with non-standard ports; POP3 explicitly not offered.
    z.mx("srv.test", 10, "mx.srv.test")
        .a("mx.srv.test", "127.0.0.1")
        .srv("_imaps._tcp.srv.test", 0, 1, 10993, "imap.srv.test")
        .srv("_imap._tcp.srv.test", 0, 1, 10143, "imap.srv.test")
        .srv("_pop3s._tcp.srv.test", 0, 0, 0, ".")
        .srv("_pop3._tcp.srv.test", 0, 0, 0, ".")
        .srv("_submission._tcp.srv.test", 5, 10, 10587, "smtp.srv.test")
        .srv("_submission._tcp.srv.test", 1, 10, 2587, "smtp2.srv.test")
        .a("imap.srv.test", "127.0.0.1")
        .a("smtp.srv.test", "127.0.0.1")
        .a("smtp2.srv.test", "127.0.0.1");
    // An internationalised domain: bücher.test.
    z.mx("xn--bcher-kva.test", 10, "mx.xn--bcher-kva.test")
        .a("mx.xn--bcher-kva.test", "127.0.0.6");
    // A domain on Google Workspace, one on Microsoft 365 (the provider hosts resolve to loopback here).
    z.mx("googled.test", 1, "aspmx.l.google.com")
        .mx("googled.test", 5, "alt1.aspmx.l.google.com")
        .a("aspmx.l.google.com", "127.0.0.7")
        .a("alt1.aspmx.l.google.com", "127.0.0.7")
        .txt("googled.test", "v=spf1 include:_spf.google.com ~all");
    z.mx(
        "contoso.test",
        0,
        "contoso-test.mail.protection.outlook.com",
    )
    .a("contoso-test.mail.protection.outlook.com", "127.0.0.8");
    // Split providers: Google primary, the old self-hosted server as backup (a Domino migration).
    z.mx("split.test", 1, "aspmx.l.google.com")
        .mx("split.test", 10, "domino.split.test")
        .a("domino.split.test", "127.0.0.9");
    // Split providers at the same preference: mail is divided at random.
    z.mx("random.test", 10, "aspmx.l.google.com").mx(
        "random.test",
        10,
        "contoso-test.mail.protection.outlook.com",
    );
    // Faulty security records.
    z.mx("badsec.test", 10, "mx1.good.test")
        .txt("badsec.test", "v=spf1 a -all")
        .txt("badsec.test", "v=spf1 include:_spf.google.com ~all")
        .txt("_dmarc.badsec.test", "v=DMARC1; rua=mailto:x@badsec.test")
        .txt("_mta-sts.badsec.test", "v=STSv1;")
        .txt("_smtp._tls.badsec.test", "v=TLSRPTv1;");
    z
}
