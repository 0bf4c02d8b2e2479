//! The ESC/POS network printer over raw TCP (port 9100, "JetDirect"): the one place receipt
//! bytes cross a socket. The use case ([`super::printing`]) has already chosen and checked the
//! addresses; this connects, asks for the paper status, writes, and says what happened.
//!
//! Failure is detected, never assumed away:
//! - connecting has [`CONNECT_TIMEOUT`] (2 s) per address; refused and timed out are told apart;
//! - before the receipt, `DLE EOT 4` asks for the roll paper sensor. A printer answers with one
//!   byte at once, even while busy; bits 5–6 set mean the paper ran out, and nothing is
//!   written (a receipt written then would print, unseen, whenever the roll is changed);
//! - the receipt is written with [`WRITE_TIMEOUT`] and flushed, and the socket shut down
//!   cleanly, so a connection that breaks or stalls midway is a failure.
//!
//! A printer that does not answer the status within [`STATUS_TIMEOUT`] (some do not, and a
//! plain listener never does) is treated as ready: the print then counts as done because the
//! socket accepted every byte — the most TCP can say. The status request's three bytes reach
//! such a listener ahead of the receipt, which begins with its own `ESC @`.

use std::net::SocketAddr;
use std::time::Duration;

use async_trait::async_trait;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::printing::{PrintFailure, PrinterStatus, ReceiptPrinter};

pub use super::printing::CONNECT_TIMEOUT;
/// How long writing the whole receipt may take.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a printer has to answer its paper status.
pub const STATUS_TIMEOUT: Duration = Duration::from_millis(300);
/// `DLE EOT 4`: transmit the roll paper sensor status (real time).
pub const PAPER_STATUS_REQUEST: [u8; 3] = [0x10, 0x04, 0x04];
/// Bits 5 and 6 of the answer: paper end detected.
const PAPER_END_BITS: u8 = 0b0110_0000;

/// Prints over raw TCP.
#[derive(Debug, Clone, Copy, Default)]
pub struct TcpReceiptPrinter;

#[async_trait]
impl ReceiptPrinter for TcpReceiptPrinter {
    async fn print(&self, addresses: &[SocketAddr], bytes: &[u8]) -> Result<PrinterStatus, PrintFailure> {
        let mut stream = connect(addresses).await?;
        let status = paper_status(&mut stream).await?;
        let written = tokio::time::timeout(WRITE_TIMEOUT, async {
            stream.write_all(bytes).await?;
            stream.flush().await?;
            stream.shutdown().await
        })
        .await;
        match written {
            Ok(Ok(())) => Ok(status),
            Ok(Err(error)) => Err(PrintFailure::WriteFailed(error.to_string())),
            Err(_) => Err(PrintFailure::WriteFailed(format!("not done within {} s", WRITE_TIMEOUT.as_secs()))),
        }
    }
}

/// The first address that accepts a connection; the failure of the last one otherwise.
async fn connect(addresses: &[SocketAddr]) -> Result<TcpStream, PrintFailure> {
    let mut failure = PrintFailure::Other("no address to connect to".into());
    for address in addresses {
        match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(address)).await {
            Ok(Ok(stream)) => {
                // Receipts are small: send each write at once rather than wait to fill a segment.
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Ok(Err(error)) if error.kind() == std::io::ErrorKind::ConnectionRefused => {
                failure = PrintFailure::Refused;
            }
            Ok(Err(error)) if error.kind() == std::io::ErrorKind::TimedOut => failure = PrintFailure::ConnectTimedOut,
            Ok(Err(error)) => failure = PrintFailure::Other(error.to_string()),
            Err(_) => failure = PrintFailure::ConnectTimedOut,
        }
    }
    Err(failure)
}

/// Asks for the paper status: no paper is a failure; no answer in time is [`PrinterStatus::NoAnswer`].
async fn paper_status(stream: &mut TcpStream) -> Result<PrinterStatus, PrintFailure> {
    let written = tokio::time::timeout(WRITE_TIMEOUT, stream.write_all(&PAPER_STATUS_REQUEST)).await;
    match written {
        Ok(Ok(())) => {}
        Ok(Err(error)) => return Err(PrintFailure::WriteFailed(error.to_string())),
        Err(_) => return Err(PrintFailure::WriteFailed("the status request was not accepted".into())),
    }
    let mut answer = [0u8; 1];
    match tokio::time::timeout(STATUS_TIMEOUT, stream.read(&mut answer)).await {
        Ok(Ok(1)) if answer[0] & PAPER_END_BITS != 0 => Err(PrintFailure::PaperOut),
        Ok(Ok(1)) => Ok(PrinterStatus::Ready),
        // The peer closed before we wrote the receipt: it will not print it.
        Ok(Ok(_)) => Err(PrintFailure::WriteFailed("the printer closed the connection".into())),
        Ok(Err(error)) => Err(PrintFailure::WriteFailed(error.to_string())),
        Err(_) => Ok(PrinterStatus::NoAnswer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    async fn listener() -> (TcpListener, SocketAddr) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|error| panic!("{error}"));
        let address = listener.local_addr().unwrap_or_else(|error| panic!("{error}"));
        (listener, address)
    }

    #[tokio::test]
    async fn a_silent_listener_gets_every_byte() {
        let (listener, address) = listener().await;
        let captured = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap_or_else(|error| panic!("{error}"));
            let mut bytes = Vec::new();
            let _ = socket.read_to_end(&mut bytes).await;
            bytes
        });
        let status = TcpReceiptPrinter.print(&[address], b"\x1b@hello").await;
        assert_eq!(status, Ok(PrinterStatus::NoAnswer));
        let bytes = captured.await.unwrap_or_default();
        assert_eq!(bytes, [&PAPER_STATUS_REQUEST[..], b"\x1b@hello"].concat());
    }

    #[tokio::test]
    async fn a_printer_without_paper_prints_nothing() {
        let (listener, address) = listener().await;
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap_or_else(|error| panic!("{error}"));
            let mut request = [0u8; 3];
            let _ = socket.read_exact(&mut request).await;
            let _ = socket.write_all(&[0x12 | PAPER_END_BITS]).await;
            let mut rest = Vec::new();
            let _ = socket.read_to_end(&mut rest).await;
        });
        assert_eq!(TcpReceiptPrinter.print(&[address], b"x").await, Err(PrintFailure::PaperOut));
    }

    #[tokio::test]
    async fn a_closed_port_is_refused() {
        let (listener, address) = listener().await;
        drop(listener);
        assert_eq!(TcpReceiptPrinter.print(&[address], b"x").await, Err(PrintFailure::Refused));
    }
}
