// The single translation unit that compiles Boost.Asio, Asio SSL and Beast
// (BOOST_*_SEPARATE_COMPILATION is defined for the whole project). Every other file
// includes only declarations, which keeps the build fast on two cores.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
